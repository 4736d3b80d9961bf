/**
 * Where a 1vN viewer starts: one rule, used by the origin's one-request start route
 * (`GET /live/NAME/start?lead=MS`, server) and by the peer engine when it picks a start itself (sdk), so
 * both pick the same chunk.
 *
 * The start is the newest keyframe chunk announced at least `leadMs` ago: every later chunk then has
 * about that long to cross the mesh before its playback deadline. When no keyframe chunk is that old (a
 * stream that just began), the oldest keyframe chunk known.
 */

/** What the rule needs to know of a chunk. */
export interface StartCandidate {
  seq: number;
  keyframe: boolean;
  /** when the origin announced it (the same clock as `now`) */
  announcedAt: number;
}

/** Bounds of the start route's `lead` (ms): an integer in [0, START_LEAD_MAX_MS]. */
export const START_LEAD_MAX_MS = 60_000;

/** Response headers of the start route: the body is the init part (`init size` bytes) then the chunk. */
export const START_HEADERS = Object.freeze({
  epoch: 'x-xp2p-epoch',
  initId: 'x-xp2p-init-id',
  initSize: 'x-xp2p-init-size',
  seq: 'x-xp2p-seq',
});

/** The start chunk among `chunks` (any order), or undefined when none is a keyframe. */
export function pickStartChunk<T>(
  chunks: Iterable<T>,
  now: number,
  leadMs: number,
  of: (chunk: T) => StartCandidate,
): T | undefined {
  let pick: { chunk: T; seq: number } | undefined;
  let oldest: { chunk: T; seq: number } | undefined;
  for (const chunk of chunks) {
    const c = of(chunk);
    if (!c.keyframe) continue;
    if (!oldest || c.seq < oldest.seq) oldest = { chunk, seq: c.seq };
    if (now - c.announcedAt >= leadMs && (!pick || c.seq > pick.seq)) pick = { chunk, seq: c.seq };
  }
  return (pick ?? oldest)?.chunk;
}

/** A `lead` query value: an integer of ms in bounds, or undefined when it is not one. */
export function parseStartLead(value: string | null): number | undefined {
  if (value === null || !/^\d{1,6}$/.test(value)) return undefined;
  const ms = Number(value);
  return ms <= START_LEAD_MAX_MS ? ms : undefined;
}
