/** The CLI is a client of the HTTP API, never of the database. */
export class ApiClientError extends Error {
  readonly status: number;
  readonly body: unknown;
  constructor(status: number, message: string, body: unknown) {
    super(message);
    this.status = status;
    this.body = body;
  }
}

export type ApiClient = {
  get<T>(path: string): Promise<T>;
  post<T>(path: string, body?: unknown): Promise<T>;
  put<T>(path: string, body?: unknown): Promise<T>;
  delete<T>(path: string, body?: unknown): Promise<T>;
};

export function apiClient(server: string, token: string | undefined): ApiClient {
  const base = server.replace(/\/+$/, '');
  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    let response: Response;
    try {
      response = await fetch(`${base}/api/v1${path}`, {
        method,
        headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (e) {
      throw new ApiClientError(0, `cannot reach the control plane at ${base}: ${(e as Error & { cause?: Error }).cause?.message ?? (e as Error).message}`, null);
    }
    const text = await response.text();
    const parsed = text ? safeJson(text) : undefined;
    if (!response.ok) {
      const error = (parsed as { error?: { message?: string; problems?: Array<{ field: string; message: string }> } } | undefined)?.error;
      let message = error?.message ?? `${response.status} ${response.statusText}`;
      if (error?.problems && error.problems.length > 1) message += `\n${error.problems.map((p) => `  ${p.field}: ${p.message}`).join('\n')}`;
      throw new ApiClientError(response.status, message, parsed);
    }
    return parsed as T;
  };
  return {
    get: (path) => call('GET', path),
    post: (path, body) => call('POST', path, body ?? {}),
    put: (path, body) => call('PUT', path, body ?? {}),
    delete: (path, body) => call('DELETE', path, body),
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
