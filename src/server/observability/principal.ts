/**
 * Who made a request, for the request log: set by the HTTP edge once it has authenticated
 * the caller, read by the request observer when the response is done. Keyed by the
 * Request object, so nothing outlives the request. Ids only — never a token.
 */
const principals = new WeakMap<Request, string>();

export function notePrincipal(request: Request, principal: string | null): void {
  if (principal) principals.set(request, principal);
}

export function principalOf(request: Request): string | null {
  return principals.get(request) ?? null;
}
