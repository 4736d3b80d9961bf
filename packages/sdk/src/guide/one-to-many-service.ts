/**
 * A 1vN service (the guide's section 3.1): `startP2PService(id, {url: 'http(s)://host/live/NAME.flv'},
 * {msgCallback, dataCallback})` joins the stream's swarm and hands dataCallback one continuous FLV byte
 * stream (init part first, then verified chunks from a keyframe). Peer changes arrive on msgCallback
 * as notify `peerJoin` / `peerLeave` (like the reference system's devNotify). The stream's end: `eof`
 * (the publish ended), `disconnect` (no node serving it can be reached), `close` (stopP2PService).
 * Talkback, commands and downloads are 1v1 calls: on a 1vN id they answer -2004 (service-calls.ts).
 */
import { ErrorCode, toArrayBuffer, type ErrorCodeValue } from '@xp2p/protocol';
import type { PublicAppParams } from '../app-params.js';
import type { SignalCredentials } from '../signal/signal-credentials.js';
import { safeCall, XP2PEventEnum, XP2PNotify_SubType, type ServiceCallbacks } from '../guide-events.js';
import type { Platform } from '../platform.js';
import { startSwarmViewer, type SwarmViewer, type SwarmViewerStats } from '../swarm/webrtc/start-swarm-viewer.js';
import { parseStreamUrl, streamNodesOf } from '../swarm/webrtc/stream-nodes.js';
import type { StreamInfo } from '../one-to-one/service/service.js';
import { describe } from './validate.js';

export interface SwarmService {
  callbacks: ServiceCallbacks;
  viewer?: SwarmViewer;
  stopped: boolean;
}

export interface SwarmServiceStart {
  platform: Platform;
  app: PublicAppParams;
  credentials: SignalCredentials;
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
    app: o.credentials,
    streamUrl: o.streamUrl,
    nodes: streamNodesOf(o.streamUrl, { urls: o.alternativeUrls, serverUrl: o.app.serverUrl }).bases,
    upload: o.upload,
    onData: (bytes) => {
      if (!service.stopped) safeCall(service.callbacks.dataCallback, toArrayBuffer(bytes));
    },
    // the guide's §4: 'disconnect' when the link to every node is gone, 'eof' when the publish ended
    onEnd: (why) => {
      if (service.stopped) return;
      if (why === 'unreachable')
        notify(XP2PNotify_SubType.Disconnect, { reason: 'no node serving the stream is reachable' });
      else notify(XP2PNotify_SubType.Eof);
    },
    onEvent: (event) => {
      switch (event.type) {
        case 'peer-join':
          return notify('peerJoin', { peerId: event.peerId });
        case 'peer-leave':
          return notify('peerLeave', { peerId: event.peerId, reason: event.reason });
        case 'bad-peer':
          return log(`dropped peer ${event.peerId}: chunk ${event.seq} ${event.reason}`);
        case 'record-refused':
          return log(`dropped ${event.record}: not signed by the stream's key (pk)`);
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

export interface OneToManyStart {
  platform: Platform;
  app: PublicAppParams;
  credentials: SignalCredentials;
  swarms: Map<string, SwarmService>;
  /** records why and returns the code */
  fail: (code: ErrorCodeValue, why: string) => ErrorCodeValue;
}

/** startP2PService for a 1vN url, http(s)://host/live/NAME.flv: the guide's codes. */
export async function startOneToMany(
  id: string,
  streamInfo: StreamInfo,
  callbacks: ServiceCallbacks,
  c: OneToManyStart,
): Promise<number> {
  try {
    parseStreamUrl(streamInfo.url);
  } catch {
    return c.fail(
      ErrorCode.PARAM_ERROR,
      'url must be a 1v1 url (http://XP2P_INFO.xnet/ipc.p2p.com/...) or a live stream http(s)://host/live/NAME.flv',
    );
  }
  const urls: unknown = streamInfo.urls;
  if (urls !== undefined) {
    if (!Array.isArray(urls) || urls.length > 16 || !urls.every((u) => typeof u === 'string' && u.length <= 1024))
      return c.fail(ErrorCode.PARAM_ERROR, 'urls must be an array of at most 16 stream URLs');
    try {
      streamNodesOf(streamInfo.url, { urls: urls as string[] });
    } catch (err) {
      return c.fail(ErrorCode.PARAM_ERROR, describe(err));
    }
  }
  if (!callbacks.dataCallback) return c.fail(ErrorCode.PARAM_ERROR, '1vN needs callbacks.dataCallback');
  const service: SwarmService = { callbacks: { ...callbacks }, stopped: false };
  c.swarms.set(id, service);
  try {
    await startSwarmService({
      platform: c.platform,
      app: c.app,
      credentials: c.credentials,
      streamUrl: streamInfo.url,
      ...(streamInfo.urls ? { alternativeUrls: streamInfo.urls } : {}),
      upload: streamInfo.upload !== false,
      service,
    });
    return ErrorCode.OK;
  } catch (err) {
    if (c.swarms.get(id) === service) c.swarms.delete(id);
    if (service.stopped) return ErrorCode.OK;
    return c.fail(ErrorCode.START_STREAM_FAILED, `cannot join the stream: ${describe(err)}`);
  }
}

/** stopP2PService for a 1vN service. */
export function stopSwarmService(service: SwarmService): void {
  if (service.stopped) return;
  service.stopped = true;
  try {
    service.viewer?.stop();
  } catch (err) {
    // stopP2PService never throws, and the app still hears close
    safeCall(
      service.callbacks.msgCallback,
      XP2PEventEnum.Log,
      '',
      `stopping the swarm viewer failed: ${describe(err)}`,
    );
  }
  // like a 1v1 stream stopped by the app (guide §4): the stream's end is reported as close
  if (service.viewer) safeCall(service.callbacks.msgCallback, XP2PEventEnum.Notify, XP2PNotify_SubType.Close);
}
