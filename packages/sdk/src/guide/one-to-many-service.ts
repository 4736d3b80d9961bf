/**
 * A 1vN service (the guide's section 3.1): `startP2PService(id, {url: 'http(s)://host/live/NAME.flv'},
 * {msgCallback, dataCallback})` joins the stream's swarm and hands dataCallback one continuous FLV byte
 * stream (init part first, then verified chunks from a keyframe). Peer changes arrive on msgCallback
 * as notify `peerJoin` / `peerLeave` (like the reference system's devNotify).
 */
import { toArrayBuffer } from '@xp2p/protocol';
import type { AppParams } from '../app-params.js';
import { safeCall, XP2PEventEnum, XP2PNotify_SubType, type ServiceCallbacks } from './events.js';
import type { Platform } from '../platform.js';
import { startSwarmViewer, type SwarmViewer, type SwarmViewerStats } from '../swarm/webrtc/start-swarm-viewer.js';
import { streamNodesOf } from '../swarm/webrtc/stream-nodes.js';

export interface SwarmService {
  callbacks: ServiceCallbacks;
  viewer?: SwarmViewer;
  stopped: boolean;
}

export interface SwarmServiceStart {
  platform: Platform;
  app: AppParams;
  streamUrl: string;
  /** the same stream on other nodes (streamInfo.urls); else appParams.serverUrl gives the nodes */
  alternativeUrls?: readonly string[];
  upload: boolean;
  service: SwarmService;
}

/** Joins the swarm; resolves once the tracker admitted the peer (throws with the reason otherwise). */
export async function startSwarmService(o: SwarmServiceStart): Promise<void> {
  const { service } = o;
  const notify = (subtype: string, detail?: unknown) =>
    safeCall(service.callbacks.msgCallback, XP2PEventEnum.Notify, subtype, detail);
  const log = (line: string) => safeCall(service.callbacks.msgCallback, XP2PEventEnum.Log, '', line);
  notify(XP2PNotify_SubType.Request);
  const viewer = await startSwarmViewer({
    platform: o.platform,
    app: { appKey: o.app.appKey, appSecretKey: o.app.appSecretKey },
    streamUrl: o.streamUrl,
    nodes: streamNodesOf(o.streamUrl, { urls: o.alternativeUrls, serverUrl: o.app.serverUrl }).bases,
    upload: o.upload,
    onData: (bytes) => {
      if (!service.stopped) safeCall(service.callbacks.dataCallback, toArrayBuffer(bytes));
    },
    onEnd: () => notify(XP2PNotify_SubType.Eof),
    onEvent: (event) => {
      switch (event.type) {
        case 'peer-join':
          return notify('peerJoin', { peerId: event.peerId });
        case 'peer-leave':
          return notify('peerLeave', { peerId: event.peerId, reason: event.reason });
        case 'bad-peer':
          return log(`dropped peer ${event.peerId}: chunk ${event.seq} ${event.reason}`);
        case 'error':
          return log(`swarm error${event.status ? ` ${event.status}` : ''}: ${event.message}`);
        case 'log':
          return log(event.line);
        case 'node-moved':
          return log(`swarm moved from ${event.from} to ${event.to} in ${event.gapMs} ms (peer ${event.peerId})`);
        default:
          return;
      }
    },
  });
  if (service.stopped) {
    viewer.stop();
    return;
  }
  service.viewer = viewer;
  notify(XP2PNotify_SubType.Parsed, { status: 200, headers: { 'content-type': 'video/x-flv' } });
}

export function swarmStats(service: SwarmService): SwarmViewerStats | undefined {
  return service.viewer?.stats();
}
