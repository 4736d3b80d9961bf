/**
 * Which STUN URLs the server hands to cameras and viewers (in `welcome`, `hello` and the tracker's join
 * answer, and in `GET /api/server-info`).
 *
 * A STUN URL is only useful if a client can reach it from wherever it is. The address the server listens
 * on often is not such an address: `0.0.0.0`/`::` (unspecified) names no host at all, and a cloud VM behind
 * 1:1 NAT listens on a private address its clients cannot reach. So, in order:
 * 1. the STUN URLs of the configuration (`server.iceServers`, `--ice-servers`, `XP2P_ICE_SERVERS`);
 * 2. `stun:<publicUrl's host>:<stunPort>` when a public URL is configured;
 * 3. `stun:<listen host>:<stunPort>` when the listen host is a name or a routable (or loopback) address;
 * 4. `stun:<host the client used to reach the server>:<stunPort>` (the Host header of its request, which
 *    reached this server, so its name resolves to it for that client);
 * 5. none (a client then finds no server-reflexive candidates, so the server logs why at start).
 */
import { BlockList, isIP } from 'node:net';

export interface StunAdvertisement {
  /** STUN URLs from the configuration; when non-empty, exactly these are advertised */
  configured?: readonly string[];
  /** the server's public base URL (http(s)://name[:port]) */
  publicUrl?: string;
  /** the address or name the server listens on */
  listenHost: string;
  stunPort: number;
}

/** Addresses a client elsewhere cannot reach: private (RFC 1918, RFC 4193), shared (RFC 6598), link-local. */
const unreachable = new BlockList();
unreachable.addSubnet('10.0.0.0', 8, 'ipv4');
unreachable.addSubnet('172.16.0.0', 12, 'ipv4');
unreachable.addSubnet('192.168.0.0', 16, 'ipv4');
unreachable.addSubnet('100.64.0.0', 10, 'ipv4');
unreachable.addSubnet('169.254.0.0', 16, 'ipv4');
unreachable.addSubnet('fc00::', 7, 'ipv6');
unreachable.addSubnet('fe80::', 10, 'ipv6');

const bare = (host: string): string => host.replace(/^\[|\]$/g, '');

/** True for 0.0.0.0, ::, and private, shared or link-local addresses: never advertised as a STUN host. */
export function isUnadvertisableHost(host: string): boolean {
  const h = bare(host);
  const family = isIP(h);
  if (family === 0) return false; // a name: the operator chose it
  if (h === '0.0.0.0' || h === '::' || h === '0:0:0:0:0:0:0:0') return true;
  return unreachable.check(h, family === 6 ? 'ipv6' : 'ipv4');
}

/** A Host header's hostname (no port), or undefined when it is not a plain name or address. */
export function hostnameOfHostHeader(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const m = /^([A-Za-z0-9.-]{1,253})(?::\d{1,5})?$|^\[([0-9A-Fa-f:.]{2,45})\](?::\d{1,5})?$/.exec(header.trim());
  return m?.[1] ?? m?.[2];
}

const stunUrl = (host: string, port: number): string =>
  `stun:${isIP(bare(host)) === 6 ? `[${bare(host)}]` : host}:${port}`;

/**
 * The STUN URLs for one client. `requestHost` is the Host header of the request that client made (its
 * signalling upgrade or its API call); it is used only when nothing configured names a reachable host.
 */
export function advertisedStunUrls(a: StunAdvertisement, requestHost?: string): string[] {
  if (a.configured && a.configured.length > 0) return [...a.configured];
  if (a.publicUrl) return [stunUrl(new URL(a.publicUrl).hostname.replace(/^\[|\]$/g, ''), a.stunPort)];
  if (!isUnadvertisableHost(a.listenHost)) return [stunUrl(a.listenHost, a.stunPort)];
  const fromRequest = hostnameOfHostHeader(requestHost);
  return fromRequest ? [stunUrl(fromRequest, a.stunPort)] : [];
}
