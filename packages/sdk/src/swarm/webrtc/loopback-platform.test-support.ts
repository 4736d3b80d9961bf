/** A Platform of real node-datachannel peer connections bound to loopback, for mesh tests (no signalling, no HTTP). */
import { RTCPeerConnection } from 'node-datachannel/polyfill';
import type { Platform } from '../../platform.js';

export const loopbackPlatform: Platform = {
  RTCPeerConnection: RTCPeerConnection as unknown as Platform['RTCPeerConnection'],
  WebSocket: undefined as unknown as Platform['WebSocket'],
  fetch: globalThis.fetch,
  rtcConfigExtras: { bindAddress: '127.0.0.1' },
};
