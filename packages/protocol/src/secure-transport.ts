/**
 * TLS off loopback (DESIGN.md principle 4). Over plain http:// or ws:// on a real network a path attacker
 * reads and rewrites signalling: SDP fingerprints (and with them DTLS), tokens, 1vN hash lists. So the
 * server, the camera and the CLI refuse a plaintext URL to any host that is not this machine unless the
 * user says --insecure (a lab, a VPN, a TLS proxy on the same host).
 */
export class InsecureTransportError extends Error {
  override name = 'InsecureTransportError';
}

/** 127.0.0.0/8, ::1 and localhost: traffic that never leaves the machine. */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/** Why `url` may not be used without --insecure, or undefined when it may. */
export function plaintextProblem(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined; // not a URL: its own parser will say so
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'ws:') return undefined;
  if (isLoopbackHost(parsed.hostname)) return undefined;
  return (
    `${parsed.protocol}//${parsed.host} is plaintext to another machine: anyone on the path could read and ` +
    `rewrite it; use https:// (or wss://), or --insecure to allow it`
  );
}

/** Throws InsecureTransportError for the first plaintext non-loopback URL, unless `insecure`. */
export function requireSecureUrls(urls: readonly string[], insecure: boolean): void {
  if (insecure) return;
  for (const url of urls) {
    const problem = plaintextProblem(url);
    if (problem) throw new InsecureTransportError(problem);
  }
}
