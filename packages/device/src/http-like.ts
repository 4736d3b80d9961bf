/** Small helpers for answering requests with JSON and reading numeric query parameters. */
import { utf8Encode } from '@xp2p/protocol';
import type { ResponseWriter } from './response-writer.js';

/** A complete JSON answer: head, body, end. Errors use the same shape: `{"error": "..."}`. */
export function sendJson(res: ResponseWriter, status: number, body: unknown): void {
  const bytes = utf8Encode(JSON.stringify(body));
  res.head(status, { 'content-type': 'application/json', 'content-length': String(bytes.byteLength) });
  res.write(bytes);
  res.end();
}

export const sendJsonError = (res: ResponseWriter, status: number, message: string): void =>
  sendJson(res, status, { error: message });

/** Thrown by request parsing; the router turns it into the status it carries. */
export class RequestError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'RequestError';
  }
}

/** An integer parameter: `fallback` when absent, RequestError(400) when not an integer. */
export function intParam(params: URLSearchParams, name: string, fallback?: number): number {
  const raw = params.get(name);
  if (raw === null || raw === '') {
    if (fallback === undefined) throw new RequestError(400, `${name} is required`);
    return fallback;
  }
  if (!/^-?\d{1,15}$/.test(raw)) throw new RequestError(400, `${name} must be an integer, got "${raw.slice(0, 32)}"`);
  return Number(raw);
}
