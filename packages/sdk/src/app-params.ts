/** The guide's appParams, plus where our server is (the reference plugin had its cloud built in). */
export interface AppParams {
  appid: string;
  appOauthId?: string;
  appKey: string;
  appSecretKey: string;
  appPackage?: string;
  /** Signalling server base URL, e.g. http://127.0.0.1:18080 (default) or https://p2p.example.com */
  serverUrl?: string;
  /** extra STUN servers for the NAT probe: stun:host:port, host:port or host (DNS names allowed) */
  stunServers?: string[];
}

export function validAppParams(p: unknown): p is AppParams {
  if (!p || typeof p !== 'object') return false;
  const a = p as Record<string, unknown>;
  const str = (v: unknown, max = 256) => typeof v === 'string' && v.length > 0 && v.length <= max;
  return (
    str(a.appid) &&
    str(a.appKey) &&
    str(a.appSecretKey) &&
    (a.serverUrl === undefined || (str(a.serverUrl, 512) && /^https?:\/\//.test(a.serverUrl as string)))
  );
}
