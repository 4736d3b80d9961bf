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

export function validAppParams(p: unknown): p is AppParams {
  if (!p || typeof p !== 'object') return false;
  const a = p as Record<string, unknown>;
  const str = (v: unknown, max = 256) => typeof v === 'string' && v.length > 0 && v.length <= max;
  return (
    str(a.appid) &&
    str(a.appKey) &&
    str(a.appSecretKey) &&
    (a.serverUrl === undefined ||
      (typeof a.serverUrl === 'string' && a.serverUrl.split(',').every(validServerUrl)) ||
      (Array.isArray(a.serverUrl) &&
        a.serverUrl.length > 0 &&
        a.serverUrl.length <= 16 &&
        a.serverUrl.every(validServerUrl)))
  );
}
