/** Why a WebSocket failed, as far as the platform says. */
import { describeError } from '@xp2p/protocol';

/**
 * ": why" from a WebSocket error event where the platform gives it (Node's `ws`: "Unexpected server
 * response: 401", "self-signed certificate in certificate chain"), else nothing (a browser's error event
 * says nothing, on purpose).
 */
export function errorOfEvent(ev: Event): string {
  const error = (ev as Event & { error?: unknown }).error;
  return error ? `: ${describeError(error)}` : '';
}
