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
