/**
 * The sdk in browsers: the page's own RTCPeerConnection, WebSocket and fetch. Like index.ts this file
 * imports nothing from Node, so it bundles with `platform: 'browser'` (packages/web builds it).
 * WebCrypto (used to sign requests) exists only in secure contexts: https pages, or http on localhost.
 *
 * @module @xp2p/sdk/browser
 */
import { ErrorCode, XP2PError } from '@xp2p/protocol';
import { createP2PModule } from './guide/module.js';
import type { Platform } from './platform.js';
import type { SDK_DEFAULTS } from './defaults.js';
import { iceNatProbe } from './nat/ice-probe.js';

type BrowserGlobals = typeof globalThis & { RTCPeerConnection?: unknown; WebSocket?: unknown };

/** What this page lacks for P2P, or undefined when it has everything. */
export function browserP2PGap(g: BrowserGlobals = globalThis): string | undefined {
  if (typeof g.RTCPeerConnection !== 'function') return 'this browser has no WebRTC (RTCPeerConnection)';
  if (typeof g.WebSocket !== 'function') return 'this browser has no WebSocket';
  if (!g.crypto?.subtle) return 'WebCrypto is unavailable: open the page over https (or http://localhost)';
  return undefined;
}

/** Stands in for a constructor the page lacks: reaching it is a bug, since init refused with -2404. */
function missing(what: string) {
  return class {
    constructor() {
      throw new XP2PError(ErrorCode.P2P_UNSUPPORTED, `${what} is not available on this page`);
    }
  };
}

/**
 * The page's platform. Where P2P cannot run it still returns one, marked `unsupported`: the module's
 * init then answers the guide's -2404 (p2p not supported in this environment) instead of the page
 * failing with an exception at load.
 */
export function browserPlatform(): Platform {
  const g = globalThis as BrowserGlobals;
  const gap = browserP2PGap(g);
  if (gap) {
    return {
      unsupported: gap,
      RTCPeerConnection: missing('RTCPeerConnection') as unknown as Platform['RTCPeerConnection'],
      WebSocket: missing('WebSocket') as unknown as Platform['WebSocket'],
      fetch: (...a) =>
        typeof globalThis.fetch === 'function' ? globalThis.fetch(...a) : Promise.reject(new Error(gap)),
    };
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
