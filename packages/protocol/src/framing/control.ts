/**
 * The control data channel (`xp2p-ctl`, opened by the viewer with the peer connection): besides marking
 * the session's life (closing it ends the session), it carries a liveness heartbeat, so the viewer notices
 * within seconds that the network path broke (a NAT mapping changed, an interface went away), long before
 * ICE consent freshness would (RFC 7675: 30 s).
 *
 *   viewer → device  text  {type:"ping", seq}
 *   device → viewer  text  {type:"pong", seq}     the same seq, at once
 *
 * A camera that never answers a ping (an older agent) is simply not watched this way.
 */
import * as z from 'zod/mini';
import { int } from '../schema.js';
import { parseSignal, type ParseResult } from '../signal/messages.js';

export const CONTROL_CHANNEL_LABEL = 'xp2p-ctl';
/** A control frame is a few dozen bytes; anything longer is refused unparsed. */
export const CONTROL_FRAME_MAX_BYTES = 128;

const seq = int(0, 2 ** 31);
export const controlFrameSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ping'), seq }),
  z.object({ type: z.literal('pong'), seq }),
]);
export type ControlFrame = z.infer<typeof controlFrameSchema>;

export function parseControlFrame(raw: unknown): ParseResult<ControlFrame> {
  if (typeof raw !== 'string') return { ok: false, error: 'control frames are text' };
  if (raw.length > CONTROL_FRAME_MAX_BYTES)
    return { ok: false, error: `control frame over ${CONTROL_FRAME_MAX_BYTES} bytes` };
  return parseSignal(controlFrameSchema, raw);
}

export const encodeControlFrame = (frame: ControlFrame): string => JSON.stringify(frame);
