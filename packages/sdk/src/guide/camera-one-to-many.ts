/**
 * How the guide facade joins a full camera's 1vN stream for a 1v1 service (1v1 → 1vN,
 * one-to-one/service/one-to-many-switch.ts): the camera's node origin serves it under the name the camera
 * gave, on the nodes of appParams.serverUrl (a cluster's nodes mirror it), joined as a 1vN service joins
 * its stream (one-to-many-service.ts); its notifies go to the 1v1 service's app, its end to the switch.
 */
import { STREAM_KEY_PARAM } from '@xp2p/protocol';
import type { PublicAppParams } from '../app-params.js';
import type { SignalCredentials } from '../signal/signal-credentials.js';
import { serverUrlsOf } from '../app-params.js';
import type { Platform } from '../platform.js';
import type { JoinOneToMany } from '../one-to-one/service/one-to-many-switch.js';
import { nodeBaseOf } from '../swarm/webrtc/stream-nodes.js';
import { XP2PEventEnum, XP2PNotify_SubType } from '../guide-events.js';
import { startSwarmService, type SwarmService } from './one-to-many-service.js';

export function cameraOneToManyJoiner(
  platform: Platform,
  app: PublicAppParams,
  credentials: SignalCredentials,
  defaultServerUrl: string,
): JoinOneToMany {
  return async (stream, sink, publicKey) => {
    const base = nodeBaseOf(serverUrlsOf(app, defaultServerUrl)[0] ?? defaultServerUrl);
    const service: SwarmService = {
      callbacks: {
        msgCallback: (event, subtype, detail) => {
          if (event !== XP2PEventEnum.Notify) return sink.log(String(detail));
          switch (subtype) {
            case XP2PNotify_SubType.Request:
              return; // the app heard of the 1v1 request already
            case XP2PNotify_SubType.Eof:
              return sink.ended('eof');
            case XP2PNotify_SubType.Disconnect:
              return sink.ended('unreachable');
            default:
              return sink.notify(subtype, detail);
          }
        },
        dataCallback: (data) => sink.data(data),
      },
      stopped: false,
    };
    await startSwarmService({
      platform,
      app: { ...app, serverUrl: serverUrlsOf(app, defaultServerUrl) },
      credentials,
      streamUrl: `${base}/live/${stream}.flv${publicKey ? `?${STREAM_KEY_PARAM}=${publicKey}` : ''}`,
      upload: true,
      service,
    });
    return {
      // not stopSwarmService: the 1v1 service tells the app of the stream's end itself
      stop: () => {
        service.stopped = true;
        service.viewer?.stop();
      },
    };
  };
}
