/** Typed errors the server throws at its callers (bad config) or maps to HTTP responses. */

/** The config file is missing, is not JSON, or does not match the schema; `path` names the file. */
export class ConfigError extends Error {
  readonly path: string | undefined;
  constructor(message: string, path?: string, options?: { cause?: unknown }) {
    super(path ? `${path}: ${message}` : message, options);
    this.name = 'ConfigError';
    this.path = path;
  }
}

/** A refusal an HTTP handler raises; the router turns it into `{ error: { status, message } }`. */
export class HttpError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.name = 'HttpError';
    this.status = status;
  }
}

export const isHttpError = (err: unknown): err is HttpError => err instanceof HttpError;

/**
 * 405 for `method` on `path`, with the Allow header that tells the client what would work (RFC 9110 §15.5.6):
 * every route answers a wrong method the same way. Returns the error for the caller to throw.
 */
export function methodNotAllowed(
  res: { setHeader(name: string, value: string): unknown },
  method: string | undefined,
  path: string,
  allowed: readonly string[],
): HttpError {
  res.setHeader('allow', allowed.join(', '));
  return new HttpError(405, `${method} not allowed on ${path}`);
}

/** The route for `method` from a path's table of methods: 404 without a table, 405 without that method. */
export function routeFor<R>(
  methods: Partial<Record<string, R>> | undefined,
  method: string,
  path: string,
  res: { setHeader(name: string, value: string): unknown },
): R {
  if (!methods) throw new HttpError(404, `no route ${path}`);
  const route = methods[method];
  if (!route) throw methodNotAllowed(res, method, path, Object.keys(methods));
  return route;
}
