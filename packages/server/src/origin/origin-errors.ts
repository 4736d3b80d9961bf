/** Refusals of the origin; they extend HttpError so the HTTP routes answer them as `{ error: { status, message } }`. */
import { HttpError } from '../errors.js';

/** The stream name does not match streamNameSchema (letters, digits, "_", "." and "-", 1–64 chars). */
export class InvalidStreamNameError extends HttpError {
  constructor(name: string) {
    super(400, `invalid stream name "${name.slice(0, 80)}"`);
    this.name = 'InvalidStreamNameError';
  }
}

/** A publisher is already sending this stream. */
export class StreamBusyError extends HttpError {
  constructor(stream: string) {
    super(409, `stream ${stream} is already being published`);
    this.name = 'StreamBusyError';
  }
}

/** The origin is shutting down and takes no new publishers. */
export class OriginClosedError extends HttpError {
  constructor() {
    super(503, 'origin is shutting down');
    this.name = 'OriginClosedError';
  }
}
