/**
 * The sdk in browsers: the page's own RTCPeerConnection, WebSocket and fetch. Like index.ts this file
 * imports nothing from Node, so it bundles with `platform: 'browser'` (packages/web builds it).
 * WebCrypto (used to sign requests) exists only in secure contexts: https pages, or http on localhost.
 */
import { createP2PModule } from './module.js';
import type { Platform } from './platform.js';
import type { SDK_DEFAULTS } from './defaults.js';

export function browserPlatform(): Platform {
  const g = globalThis as typeof globalThis & { RTCPeerConnection?: unknown; WebSocket?: unknown };
  if (typeof g.RTCPeerConnection !== 'function') throw new Error('this browser has no WebRTC (RTCPeerConnection)');
  if (typeof g.WebSocket !== 'function') throw new Error('this browser has no WebSocket');
  if (!globalThis.crypto?.subtle) {
    throw new Error('WebCrypto is unavailable: open the page over https (or http://localhost)');
  }
  return {
    RTCPeerConnection: g.RTCPeerConnection as Platform['RTCPeerConnection'],
    WebSocket: g.WebSocket as Platform['WebSocket'],
    // Called as `platform.fetch(...)`: unbound, browsers throw "Illegal invocation".
    fetch: globalThis.fetch.bind(globalThis),
  };
}

/** A p2pModule for a web page. */
export function createBrowserP2PModule(defaults: Partial<typeof SDK_DEFAULTS> = {}) {
  return createP2PModule(browserPlatform(), defaults);
}

export * from './index.js';
