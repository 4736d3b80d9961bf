/**
 * The apps the signature check looks up, kept for a few seconds: every signed request (an xp2pInfo issue,
 * each signalling connection) needs its app's secret, and apps change rarely (`xp2p app add`), so one
 * database round trip per request is waste on the hottest path. Only apps that exist are kept (a stranger
 * sending made-up appKeys cannot fill the cache), at most `maxEntries`, each for `ttlMs`.
 */
import type { AppLookup } from './app-authenticator.js';
import type { AppConfig } from '../config/schema.js';

export function cachedAppLookup(
  lookup: AppLookup,
  o: { ttlMs: number; maxEntries: number; now?: () => number },
): AppLookup {
  const now = o.now ?? Date.now;
  const entries = new Map<string, { app: AppConfig; until: number }>();
  return async (appKey) => {
    const hit = entries.get(appKey);
    if (hit && hit.until > now()) return hit.app;
    entries.delete(appKey);
    const app = await lookup(appKey);
    if (app) {
      // the oldest entry goes first (a Map iterates in insertion order)
      if (entries.size >= o.maxEntries) entries.delete(entries.keys().next().value!);
      entries.set(appKey, { app, until: now() + o.ttlMs });
    }
    return app;
  };
}
