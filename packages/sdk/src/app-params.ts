/** The guide's appParams, plus where our server is (the reference plugin had its cloud built in). */
export interface AppParams {
  appid: string;
  appOauthId?: string;
  appKey: string;
  appSecretKey: string;
  appPackage?: string;
  /**
   * Signalling server base URL, e.g. http://127.0.0.1:18080 (default) or https://p2p.example.com; or the
   * nodes of one cluster as an array (or comma-separated): the sdk moves to the next when one fails.
   */
  serverUrl?: string | string[];
  /** extra STUN servers for the NAT probe: stun:host:port, host:port or host (DNS names allowed) */
  stunServers?: string[];
}

const validServerUrl = (u: unknown): boolean =>
  typeof u === 'string' && u.length > 0 && u.length <= 512 && /^https?:\/\//.test(u.trim());

/** The server URLs of appParams (default when absent), as a list. */
export function serverUrlsOf(app: Pick<AppParams, 'serverUrl'>, fallback: string): string[] {
  const v = app.serverUrl ?? fallback;
  return (typeof v === 'string' ? v.split(',') : v).map((u) => u.trim().replace(/\/$/, '')).filter(Boolean);
}

/**
 * appParams without the app's keys: what a web page passes to init along with a signalling ticket (it must
 * never hold an app secret). appKey and appSecretKey, if present anyway, are not used.
 */
export type PublicAppParams = Omit<AppParams, 'appKey' | 'appSecretKey'> & { appKey?: string; appSecretKey?: string };

const str = (v: unknown, max = 256) => typeof v === 'string' && v.length > 0 && v.length <= max;

/** appParams with the app's keys (a program that may hold the app secret). */
export function validAppParams(p: unknown): p is AppParams {
  if (!validPublicAppParams(p)) return false;
  const a = p as Record<string, unknown>;
  return str(a.appKey) && str(a.appSecretKey);
}

/** appParams for ticket sign-in: appid and (optionally) serverUrl. */
export function validPublicAppParams(p: unknown): p is PublicAppParams {
  if (!p || typeof p !== 'object') return false;
  const a = p as Record<string, unknown>;
  return (
    str(a.appid) &&
    (a.serverUrl === undefined ||
      (typeof a.serverUrl === 'string' && a.serverUrl.split(',').every(validServerUrl)) ||
      (Array.isArray(a.serverUrl) &&
        a.serverUrl.length > 0 &&
        a.serverUrl.length <= 16 &&
        a.serverUrl.every(validServerUrl)))
  );
}
