import { type ApiProblem, ApiRequestError } from '../../api/client.ts';

/** The devices a D8 refusal names (409 `subnet-has-devices`), or null for any other outcome. */
export function devicesOfRefusal(error: unknown): string[] | null {
  if (!(error instanceof ApiRequestError) || error.code !== 'subnet-has-devices') return null;
  return error.problems.filter((p) => p.field === 'devices').map((p) => p.message);
}

/**
 * A refusal's problems by field, with the `subnets[1]: ` prefix of the message dropped (it
 * sits under that field); an upload's problems keep their line and directive (D5), all of them.
 */
export function errorsByField(problems: ApiProblem[], fallback?: { field?: string; message: string }): Record<string, string> {
  const list: ApiProblem[] = problems.length ? problems : fallback?.field ? [{ field: fallback.field, message: fallback.message }] : [];
  const out: Record<string, string> = {};
  for (const p of list) {
    const prefix = `${p.field}: `;
    const message = p.message.startsWith(prefix) ? p.message.slice(prefix.length) : p.message;
    const where = p.line !== undefined && p.line > 0 ? `line ${p.line}${p.directive ? ` (${p.directive})` : ''}: ` : '';
    out[p.field] = out[p.field] ? `${out[p.field]}; ${where}${message}` : `${where}${message}`;
  }
  return out;
}
