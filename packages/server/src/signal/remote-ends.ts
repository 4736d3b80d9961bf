/**
 * Session ends whose socket lives on another node, and the handler for what other nodes send us. A
 * viewer on node B and a camera on node A share one session id; each node keeps its half, with the far
 * side as a remote end that forwards through the cluster bus. Tokens were already checked on the
 * viewer's node (they are stateless, every node has the same config), so the camera's node trusts the bus.
 */
import {
  base64Decode,
  base64Encode,
  encodeRelayFrame,
  ErrorCode,
  parseRelayFrame,
  type ServerToDevice,
  type ServerToViewer,
} from '@xp2p/protocol';
import { shortId, type Hub } from './hub.js';
import type { DeviceEnd, ViewerEnd } from './registry.js';
import type { BusMessage } from '../cluster/cluster.js';
import { openStartRelay } from './start-relay.js';

/** When the far node cannot be reached, the local side hears it as the session ending. */
function undeliverable(hub: Hub, sessionId: string, toViewer: boolean): void {
  const session = hub.registry.endSession(sessionId);
  if (!session) return;
  hub.log(`session ${shortId(sessionId)} ended: other node unreachable`);
  if (toViewer) {
    session.viewer.channel.send({
      type: 'error',
      sessionId,
      status: 503,
      code: ErrorCode.START_STREAM_FAILED,
      message: "the camera's server node is unreachable",
    });
  } else {
    session.device.channel.send({ type: 'bye', sessionId, reason: 'viewer left' });
  }
}

/** The viewer node's stand-in for a camera logged in on `node`. */
export function remoteDeviceEnd(
  hub: Hub,
  node: string,
  productId: string,
  deviceName: string,
  version: string,
): DeviceEnd {
  return {
    productId,
    deviceName,
    version,
    remoteNode: node,
    sessions: new Set(),
    channel: {
      send(message: ServerToDevice) {
        if (!('sessionId' in message) || message.sessionId === undefined) return;
        const { sessionId } = message;
        void hub.cluster
          .send(node, { t: 'to-device', from: hub.cluster.nodeId, sessionId, productId, deviceName, message })
          .then((delivered) => {
            if (!delivered && message.type !== 'bye') undeliverable(hub, sessionId, true);
          });
      },
    },
  };
}

/** The camera node's stand-in for a viewer connected to `node`. */
function remoteViewerEnd(hub: Hub, node: string): ViewerEnd {
  return {
    remoteNode: node,
    sessions: new Set(),
    channel: {
      send(message: ServerToViewer) {
        if (!('sessionId' in message) || message.sessionId === undefined) return;
        const { sessionId } = message;
        const from = hub.cluster.nodeId;
        void hub.cluster
          .send(
            node,
            message.type === 'relay'
              ? { t: 'relay-to-viewer', from, sessionId, frame: base64Encode(encodeRelayFrame(message)) }
              : { t: 'to-viewer', from, sessionId, message },
          )
          .then((delivered) => {
            if (!delivered && message.type !== 'bye') undeliverable(hub, sessionId, false);
          });
      },
    },
  };
}

/** Handles one message another node sent to this one. */
export function handleBusMessage(
  hub: Hub,
  message: BusMessage,
  closeReplaced: (productId: string, deviceName: string) => void,
): void {
  switch (message.t) {
    case 'to-device':
      return toDevice(hub, message);
    case 'to-viewer':
      return toViewer(hub, message);
    case 'relay-to-viewer': {
      const frame = parseRelayFrame(base64Decode(message.frame));
      if (!frame.ok) return hub.log(`dropped a relay frame from node ${message.from}: ${frame.error}`);
      return toViewer(hub, { ...message, message: frame.message });
    }
    case 'device-replaced':
      return closeReplaced(message.productId, message.deviceName);
  }
}

function toDevice(hub: Hub, m: Extract<BusMessage, { t: 'to-device' }>): void {
  const { message, sessionId, from } = m;
  if (message.type === 'offer') {
    const reply = (status: number, text: string): void =>
      void hub.cluster.send(from, {
        t: 'to-viewer',
        from: hub.cluster.nodeId,
        sessionId,
        message: { type: 'error', sessionId, status, code: ErrorCode.START_STREAM_FAILED, message: text },
      });
    const link = hub.registry.onlineDevice(m.productId, m.deviceName);
    if (!link) return reply(404, `device ${m.productId}/${m.deviceName} is offline`);
    if (hub.registry.session(sessionId)) return reply(409, 'sessionId is already in use');
    const viewer = remoteViewerEnd(hub, from);
    hub.registry.openSession(sessionId, viewer, link);
    hub.log(`session ${shortId(sessionId)} viewer on node ${from} → ${link.productId}/${link.deviceName}`);
    // the relay's cap is kept here, where the camera's frames come in
    const start = openStartRelay(hub, viewer, link, message.start, (status, text) =>
      viewer.channel.send({ type: 'error', sessionId: message.start?.id, status, message: text }),
    );
    link.channel.send(start ? message : { ...message, start: undefined });
    return;
  }
  const session = hub.registry.session(sessionId);
  if (!session || session.viewer.remoteNode !== from) return; // ended meanwhile, or not that node's
  if (message.type === 'bye') {
    hub.registry.endSession(sessionId);
    hub.log(`session ${shortId(sessionId)} ended by viewer on node ${from}`);
  }
  session.device.channel.send(message);
}

function toViewer(hub: Hub, m: { from: string; sessionId: string; message: ServerToViewer }): void {
  const { message, sessionId, from } = m;
  const session = hub.registry.session(sessionId);
  if (!session || session.device.remoteNode !== from) return;
  if (message.type === 'answer' && !session.answered) {
    session.answered = true;
    hub.metrics.offerAnswered((performance.now() - session.offeredAt) / 1000);
  }
  if (message.type === 'bye' || message.type === 'error') {
    hub.registry.endSession(sessionId);
    hub.log(`session ${shortId(sessionId)} ended by the camera's node ${from}`);
  }
  session.viewer.channel.send(message);
}
