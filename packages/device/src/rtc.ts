/** node-datachannel's W3C polyfill: the camera speaks the same RTCPeerConnection API as browsers. */
import nodeDataChannel from 'node-datachannel';
import { RTCPeerConnection as PolyfillPeerConnection } from 'node-datachannel/polyfill';

export type PeerConnectionFactory = (config: RTCConfiguration & Record<string, unknown>) => RTCPeerConnection;

export const createPeerConnection: PeerConnectionFactory = (config) =>
  new PolyfillPeerConnection(
    config as ConstructorParameters<typeof PolyfillPeerConnection>[0],
  ) as unknown as RTCPeerConnection;

/** Frees libdatachannel's threads; call once at process end. */
export function cleanupWebRTC(): void {
  nodeDataChannel.cleanup();
}
