/**
 * The sdk in browsers: the page's own RTCPeerConnection, WebSocket and fetch. Like index.ts this file
 * imports nothing from Node, so it bundles with `platform: 'browser'` (packages/web builds it).
 * WebCrypto (used to sign requests) exists only in secure contexts: https pages, or http on localhost.
 *
 * @module @xp2p/sdk/browser
 */
import { createP2PModule } from './guide/module.js';
import type { Platform } from './platform.js';
import type { SDK_DEFAULTS } from './defaults.js';
import { iceNatProbe } from './nat/ice-probe.js';

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
    // no UDP sockets here: the NAT probe gathers ICE candidates against the STUN servers instead
    natProbe: (timeoutMs) => (servers, signal) =>
      iceNatProbe({
        RTCPeerConnection: g.RTCPeerConnection as Platform['RTCPeerConnection'],
        servers,
        timeoutMs,
        signal,
      }),
    watchNetwork: browserNetworkSignals,
  };
}

/**
 * online/offline, and navigator.connection 'change' (Network Information API, Chromium only) where it
 * exists: the moments the page's network may have changed.
 */
function browserNetworkSignals(onChange: () => void): () => void {
  const w = globalThis as typeof globalThis & {
    addEventListener?: (type: string, listener: () => void) => void;
    removeEventListener?: (type: string, listener: () => void) => void;
    navigator?: { connection?: EventTarget };
  };
  const connection = w.navigator?.connection;
  const listener = () => onChange();
  w.addEventListener?.('online', listener);
  w.addEventListener?.('offline', listener);
  connection?.addEventListener?.('change', listener);
  return () => {
    w.removeEventListener?.('online', listener);
    w.removeEventListener?.('offline', listener);
    connection?.removeEventListener?.('change', listener);
  };
}

/** A p2pModule for a web page. */
export function createBrowserP2PModule(defaults: Partial<typeof SDK_DEFAULTS> = {}) {
  return createP2PModule(browserPlatform(), defaults);
}

export * from './index.js';
