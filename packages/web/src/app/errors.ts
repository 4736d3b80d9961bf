/**
 * Errors as people read them: what happened, what to do, and the guide's code so support can look it up.
 * Every failure the app shows goes through here; nothing fails silently.
 */
import { ApiError, ErrorCode, errorMessagesFor } from './sdk.js';

/** "could not start the stream (-2402): camera answered 404" */
export function describeCode(code: number, detail?: string): string {
  const meaning = errorMessagesFor(code) ?? 'unknown error';
  return `${meaning} (${code})${detail ? `: ${detail}` : ''}`;
}

/** A failed web API call (sign-in, camera list, xp2pInfo, sharing) in words. */
export function describeApiError(err: unknown, what: string): string {
  if (err instanceof ApiError) {
    if (err.status === 0) return `Cannot reach the server. ${err.message}`;
    if (err.status === 401) return `${what}: ${err.message} (HTTP 401).`;
    if (err.status === 403) return `${what} refused: ${err.message} (HTTP 403).`;
    if (err.status === 429) return `${err.message} (HTTP 429).`;
    if (err.status === 409) return `The camera is offline (${err.message}). Check its power and network.`;
    if (err.status === 404) return `Unknown camera (${err.message}).`;
    return `${what} failed (HTTP ${err.status}): ${err.message}`;
  }
  return `${what} failed: ${err instanceof Error ? err.message : String(err)}`;
}

/** Microphone errors from getUserMedia, with the talkback code. */
export function describeMicrophoneError(err: unknown): string {
  const name = (err as { name?: string } | undefined)?.name ?? '';
  const code = ErrorCode.VOICE_START_FAILED;
  if (name === 'NotAllowedError' || name === 'SecurityError') {
    return `Microphone permission denied: allow the microphone for this site in the browser, then try again (${code}).`;
  }
  if (name === 'NotFoundError' || name === 'OverconstrainedError') return `No microphone found (${code}).`;
  if (name === 'NotReadableError') return `The microphone is in use by another program (${code}).`;
  return `Cannot open the microphone: ${err instanceof Error ? err.message : String(err)} (${code}).`;
}

/** Talkback refusals: 503 from the camera means someone else is talking. */
export function describeTalkError(code: number, detail: string | undefined): string {
  if (detail && /\b503\b/.test(detail)) return `The camera is busy: someone else is talking (${code}).`;
  if (detail && /\b(404|406)\b/.test(detail)) return `This camera has no talkback (${code}).`;
  return describeCode(code, detail);
}
