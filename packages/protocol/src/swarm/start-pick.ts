/**
 * Where a 1vN viewer starts: one rule, used by the origin's one-request start route
 * (`GET /live/NAME/start?lead=MS`, server) and by the peer engine when it picks a start itself (sdk), so
 * both pick the same chunk.
 *
 * The start is the newest keyframe chunk announced at least `leadMs` ago: every later chunk then has
 * about that long to cross the mesh before its playback deadline. That costs a viewer up to one GOP of
 * extra delay next to a plain HTTP-FLV viewer (which starts at the newest keyframe): fine for a GOP of about
 * `leadMs`, too much for a long one. So when a newer keyframe chunk exists more than `leadMs` +
 * START_LONG_GOP_SLACK_MS after that one (a long GOP), the start is the newest keyframe chunk instead, and
 * the viewer holds it until it is `leadMs` old (the sdk engine's SwarmPeer.startsLongGop): a later first
 * frame, but never more than about `leadMs` of added delay. When no keyframe chunk is old enough (a stream that just began),
 * the oldest keyframe chunk known.
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

/**
 * How much longer than `leadMs` a GOP may be before the start moves to the newest keyframe: a chunk's length
 * at most (the origin cuts chunks of up to ~0.5 s), so announce-time jitter never flips a GOP of `leadMs`.
 */
export const START_LONG_GOP_SLACK_MS = 500;

/** The start chunk among `chunks` (any order), or undefined when none is a keyframe. */
export function pickStartChunk<T>(
  chunks: Iterable<T>,
  now: number,
  leadMs: number,
  of: (chunk: T) => StartCandidate,
): T | undefined {
  type Seen = { chunk: T; c: StartCandidate };
  let pick: Seen | undefined;
  let oldest: Seen | undefined;
  let newest: Seen | undefined;
  for (const chunk of chunks) {
    const c = of(chunk);
    if (!c.keyframe) continue;
    if (!oldest || c.seq < oldest.c.seq) oldest = { chunk, c };
    if (!newest || c.seq > newest.c.seq) newest = { chunk, c };
    if (now - c.announcedAt >= leadMs && (!pick || c.seq > pick.c.seq)) pick = { chunk, c };
  }
  if (pick && newest && newest.c.announcedAt - pick.c.announcedAt > leadMs + START_LONG_GOP_SLACK_MS) {
    return newest.chunk; // a long GOP: the fresher keyframe, held by the viewer, adds less delay
  }
  return (pick ?? oldest)?.chunk;
}

/** A `lead` query value: an integer of ms in bounds, or undefined when it is not one. */
export function parseStartLead(value: string | null): number | undefined {
  if (value === null || !/^\d{1,6}$/.test(value)) return undefined;
  const ms = Number(value);
  return ms <= START_LEAD_MAX_MS ? ms : undefined;
}
