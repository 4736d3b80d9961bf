/** node-datachannel's W3C polyfill: the camera speaks the same RTCPeerConnection API as browsers. */
import { escapeTurnCredentialsForUrl } from '@xp2p/protocol';
import nodeDataChannel from 'node-datachannel';
import { RTCPeerConnection as PolyfillPeerConnection } from 'node-datachannel/polyfill';

export type PeerConnectionFactory = (config: RTCConfiguration & Record<string, unknown>) => RTCPeerConnection;

export const createPeerConnection: PeerConnectionFactory = (config) =>
  new PolyfillPeerConnection({
    ...config,
    // the polyfill writes TURN credentials into a URL: escape them (TURN REST usernames contain ':')
    iceServers: escapeTurnCredentialsForUrl(config.iceServers),
  } as ConstructorParameters<typeof PolyfillPeerConnection>[0]) as unknown as RTCPeerConnection;

/** Frees libdatachannel's threads; call once at process end. */
export function cleanupWebRTC(): void {
  nodeDataChannel.cleanup();
}
