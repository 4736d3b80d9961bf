/** node-datachannel's W3C polyfill: the camera speaks the same RTCPeerConnection API as browsers. */
import { escapeTurnCredentialsForUrl, LONG_PATH_SCTP_SETTINGS } from '@xp2p/protocol';
import nodeDataChannel from 'node-datachannel';
import { RTCPeerConnection as PolyfillPeerConnection } from 'node-datachannel/polyfill';

export type PeerConnectionFactory = (config: RTCConfiguration & Record<string, unknown>) => RTCPeerConnection;

let sctpTuned = false;

export const createPeerConnection: PeerConnectionFactory = (config) => {
  // usrsctp reads these process-wide, when an association is made: set them before the first one. Window
  // and congestion control for long paths, where the defaults get half of TCP (see LONG_PATH_SCTP_SETTINGS)
  if (!sctpTuned) nodeDataChannel.setSctpSettings(LONG_PATH_SCTP_SETTINGS);
  sctpTuned = true;
  return new PolyfillPeerConnection({
    ...config,
    // the polyfill writes TURN credentials into a URL: escape them (TURN REST usernames contain ':')
    iceServers: escapeTurnCredentialsForUrl(config.iceServers),
  } as ConstructorParameters<typeof PolyfillPeerConnection>[0]) as unknown as RTCPeerConnection;
};

/** Frees libdatachannel's threads; call once at process end. */
export function cleanupWebRTC(): void {
  nodeDataChannel.cleanup();
}
