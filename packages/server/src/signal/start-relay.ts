/**
 * Relay-first starts on the node (protocol/src/signal/start-relay.ts says what they are): an offer may
 * carry the viewer's first live request (`start`); the node opens a second session for it, with the same
 * two ends as the offer's (so frames flow only between that viewer socket and that camera socket, never to
 * another tenant's viewer or another device), forwards the camera's sealed `relay` frames to the viewer
 * (it cannot read them: end-to-end encrypted), counts them in /metrics, and ends the relay (`relay-end` to
 * both) at `startRelayMaxBytes` or `startRelayMaxMs`: the node never becomes a long-term relay. Either end
 * closes it earlier with `bye` (the viewer once its stream moved to P2P), through the session's usual path.
 * Each forwarded frame is acknowledged to the camera (`relay-ack`), which stops relaying media when the
 * acks lag (an uplink slower than its stream): a relay must never make a start worse than P2P alone.
 */
import type { RelayFrame, StartRequest } from '@xp2p/protocol';
import { shortId, type Hub } from './hub.js';
import type { DeviceEnd, DeviceLink, Session, ViewerEnd } from './registry.js';

interface RelayState {
  bytes: number;
  timer: ReturnType<typeof setTimeout>;
}

/** Per relay session; gone with the session object. */
const relays = new WeakMap<Session, RelayState>();

/**
 * The offer's `start` as it goes on to the camera, once its relay session is open between the offer's two
 * ends (on the viewer's node, and on the camera's when they differ); undefined when this node has
 * relay-first starts off or the id is taken: `refuse` tells the viewer, whose stream then starts over P2P.
 */
export function openStartRelay(
  hub: Hub,
  viewer: ViewerEnd,
  device: DeviceEnd,
  start: StartRequest | undefined,
  refuse: (status: number, message: string) => void,
): StartRequest | undefined {
  if (!start) return undefined;
  if (hub.tuning.startRelayMaxBytes <= 0 || hub.tuning.startRelayMaxMs <= 0) {
    refuse(403, 'relay-first start is off on this server');
    return undefined;
  }
  if (hub.registry.session(start.id)) {
    refuse(409, 'start relay id is already in use');
    return undefined;
  }
  const session = hub.registry.openSession(start.id, viewer, device);
  const timer = setTimeout(() => cut(hub, session, 'timeout'), hub.tuning.startRelayMaxMs);
  timer.unref?.();
  relays.set(session, { bytes: 0, timer });
  hub.metrics.startRelay('opened');
  return start;
}

/**
 * A sealed frame from `device` for one of its sessions: on to that session's viewer while the relay is
 * within its cap, else the relay ends. The viewer's socket takes it as fast as it drains (relay-pacer.ts):
 * the ack tells the camera the node has it, so the camera's pacing measures its own uplink only.
 */
export function forwardRelayFrame(hub: Hub, device: DeviceLink, session: Session, frame: RelayFrame): void {
  const state = relays.get(session);
  if (!state) return device.channel.sendError(400, 'not a start relay session', { sessionId: session.id });
  const bytes = frame.data.byteLength;
  if (state.bytes + bytes > hub.tuning.startRelayMaxBytes) return cut(hub, session, 'cap');
  state.bytes += bytes;
  hub.metrics.startRelayForwarded(bytes);
  session.viewer.channel.send(frame);
  // the camera cannot see its own TCP backlog: the ack tells it how far behind its relay is
  device.channel.send({ type: 'relay-ack', sessionId: session.id, seq: frame.seq });
}

function cut(hub: Hub, session: Session, reason: 'cap' | 'timeout'): void {
  const state = relays.get(session);
  if (state) clearTimeout(state.timer);
  relays.delete(session);
  // ended meanwhile (bye from either end, a socket gone): nothing to cut
  if (hub.registry.session(session.id) !== session) return;
  hub.registry.endSession(session.id);
  hub.metrics.startRelay(reason);
  hub.log(`start relay ${shortId(session.id)} ended at its ${reason} (${state?.bytes ?? 0} bytes relayed)`);
  const end = { type: 'relay-end', sessionId: session.id, reason } as const;
  session.viewer.channel.send(end);
  session.device.channel.send(end);
}
