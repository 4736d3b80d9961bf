/**
 * The viewer module's id (the guide's getUUID): sent as `uuid` in the query of the viewer's signalling
 * upgrade so the server's log lines for that client carry it and an operator can find a user's sessions
 * by the id the app shows. Optional (older clients omit it); when present it must match this schema.
 */
// zod/mini, as every schema the browser sdk carries (schema.ts: classic zod would triple the bundle)
import * as z from 'zod/mini';

export const VIEWER_UUID_MAX = 64;

export const viewerUuidSchema = z
  .string()
  .check(
    z.minLength(1),
    z.maxLength(VIEWER_UUID_MAX),
    z.regex(/^[A-Za-z0-9_-]+$/, 'uuid may hold only letters, digits, _ and -'),
  );

/** The uuid of an upgrade's query: undefined when absent, null when present but invalid. */
export function viewerUuidOf(query: URLSearchParams): string | undefined | null {
  const raw = query.get('uuid');
  if (raw === null) return undefined;
  const parsed = viewerUuidSchema.safeParse(raw);
  return parsed.success ? parsed.data : null;
}
