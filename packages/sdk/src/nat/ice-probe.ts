/**
 * The NAT probe for hosts without UDP sockets (browsers): gather ICE candidates on a throwaway
 * RTCPeerConnection whose only ICE servers are the STUN servers, and read the server-reflexive (srflx)
 * candidates, whose address is the mapped address a STUN server saw.
 *
 * What this can show, and no more: the public (mapped) address, and whether it is one of this host's own
 * addresses (no NAT on the path). It cannot run RFC 5780's tests (no CHANGE-REQUEST, no choice of local
 * port), so mapping and filtering behaviour stay 'unknown' and a NAT is reported as behindNat with
 * natType 'unknown', as the Node probe does with a plain STUN server. Where the browser hides its host
 * addresses behind mDNS names (Chromium's default: host candidates "<uuid>.local", srflx "raddr 0.0.0.0")
 * even that cannot be told, and behindNat is left undefined.
 */
import { NatProbeError, type NatProbeResult, type StunServerAddress } from './probe.js';
import type { Endpoint } from './stun.js';

export interface ParsedCandidate {
  type: string;
  protocol: string;
  /** an IP literal, or an mDNS name ("<uuid>.local") where the browser hides its addresses */
  address: string;
  port: number;
  relatedAddress?: string;
  relatedPort?: number;
}

/** An ICE candidate line (RFC 8839 §5.1, with or without "a=" / "candidate:"), or undefined if malformed. */
export function parseIceCandidate(line: string): ParsedCandidate | undefined {
  const m = /^(?:a=)?candidate:\S+ \d+ (\w+) \d+ (\S+) (\d{1,5}) typ (\w+)(.*)$/i.exec(line.trim());
  if (!m) return undefined;
  const out: ParsedCandidate = { protocol: m[1]!.toLowerCase(), address: m[2]!, port: Number(m[3]), type: m[4]! };
  const raddr = /\braddr (\S+)/.exec(m[5] ?? '')?.[1];
  const rport = /\brport (\d{1,5})/.exec(m[5] ?? '')?.[1];
  if (raddr !== undefined) out.relatedAddress = raddr;
  if (rport !== undefined) out.relatedPort = Number(rport);
  return out;
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
const isIpv4 = (a: string) => IPV4.test(a) && a.split('.').every((x) => Number(x) <= 255);
const isIpLiteral = (a: string) => isIpv4(a) || (a.includes(':') && /^[0-9a-f:.]+$/i.test(a));
const unspecified = (a: string | undefined) => a === undefined || a === '0.0.0.0' || a === '::';

/**
 * What a set of gathered candidates shows about the NAT. The mapped address is IPv4, as in the Node probe.
 *  - open: the mapped address is one of the host's own addresses (same port when the base port is known),
 *    or a loopback address (the STUN server is on this machine: no NAT on that path);
 *  - behind a NAT, type unknown: the host's addresses are known and the mapped one is not among them;
 *  - unknown (behindNat undefined): the host's addresses are hidden (mDNS), nothing to compare with.
 * No IPv4 srflx candidate: when gathering completed without an ICE error, every STUN answer equalled its
 * socket's own address, and the browser dropped the srflx candidate as redundant (libwebrtc does, unless
 * mDNS hides the host address; measured in Chromium: an answering STUN server completes gathering in
 * ~130 ms with host candidates only, a silent one never completes): 'open', mapped = that host address.
 * Otherwise (no answer, an error, gathering cut short) it throws NatProbeError.
 */
export function classifyCandidates(
  lines: readonly string[],
  servers: readonly StunServerAddress[],
  gathering: { complete: boolean; errors: readonly string[] } = { complete: false, errors: [] },
): NatProbeResult {
  const parsed = lines.map(parseIceCandidate).filter((c): c is ParsedCandidate => !!c && c.protocol === 'udp');
  const srflx = parsed.filter((c) => c.type === 'srflx' && isIpv4(c.address));
  const server: Endpoint =
    servers.length === 1 ? { address: servers[0]!.host, port: servers[0]!.port } : { address: 'unknown', port: 0 };
  const first = srflx[0];
  if (!first) {
    const hosts = parsed.filter((c) => c.type === 'host' && isIpv4(c.address));
    // the host the STUN server saw: the one with the server's own address (a server on this machine), else
    // the first that is not loopback
    const self =
      hosts.find((h) => servers.some((s) => s.host === h.address)) ??
      hosts.find((h) => !h.address.startsWith('127.')) ??
      hosts[0];
    if (gathering.complete && gathering.errors.length === 0 && self) {
      const own: Endpoint = { address: self.address, port: self.port };
      return {
        mapped: own,
        local: own,
        behindNat: false,
        mapping: 'endpoint-independent',
        filtering: 'unknown',
        natType: 'open',
        rfc5780: false,
        observations: [{ server, mapped: own }],
      };
    }
    const asked = servers.map((s) => `${s.host}:${s.port}`).join(', ') || 'none';
    const why = gathering.errors.length > 0 ? `ICE errors: ${gathering.errors.join('; ')}` : 'no STUN server answered';
    throw new NatProbeError(`no server-reflexive candidate: ${why} (asked ${asked})`);
  }
  const own = new Set<string>();
  for (const c of parsed) {
    if (c.type === 'host' && isIpLiteral(c.address)) own.add(c.address);
    if (c.type === 'srflx' && !unspecified(c.relatedAddress)) own.add(c.relatedAddress!);
  }
  const mapped: Endpoint = { address: first.address, port: first.port };
  const local: Endpoint = {
    address: unspecified(first.relatedAddress) ? '0.0.0.0' : first.relatedAddress!,
    port: first.relatedPort ?? 0,
  };
  const isOwn = (c: ParsedCandidate): boolean =>
    c.address.startsWith('127.') || (own.has(c.address) && (!c.relatedPort || c.relatedPort === c.port));
  const open = srflx.some(isOwn);
  const behindNat = open ? false : own.size > 0 ? true : undefined;
  return {
    mapped,
    local,
    ...(behindNat !== undefined ? { behindNat } : {}),
    mapping: open ? 'endpoint-independent' : 'unknown',
    filtering: 'unknown',
    natType: open ? 'open' : 'unknown',
    rfc5780: false,
    observations: srflx.map((c) => ({ server, mapped: { address: c.address, port: c.port } })),
  };
}

export interface IceProbeOptions {
  RTCPeerConnection: new (config: RTCConfiguration & Record<string, unknown>) => RTCPeerConnection;
  /** extra RTCConfiguration fields for this host (node-datachannel: bindAddress ...) */
  rtcConfigExtras?: Record<string, unknown>;
  servers: readonly StunServerAddress[];
  /** give up gathering after this long (the browser's own STUN timeout is tens of seconds) */
  timeoutMs: number;
  /** after the first srflx candidate, wait this long for the others (other servers, interfaces) */
  settleMs?: number;
  signal?: AbortSignal;
}

const stunUrl = (s: StunServerAddress) => `stun:${s.host.includes(':') ? `[${s.host}]` : s.host}:${s.port}`;

/** Gathers candidates against the STUN servers and classifies them (see classifyCandidates). */
export async function iceNatProbe(o: IceProbeOptions): Promise<NatProbeResult> {
  if (o.servers.length === 0) throw new NatProbeError('no STUN server to probe');
  if (o.signal?.aborted) throw new NatProbeError('NAT probe aborted');
  const pc = new o.RTCPeerConnection({ ...o.rtcConfigExtras, iceServers: [{ urls: o.servers.map(stunUrl) }] });
  const lines: string[] = [];
  const errors: string[] = [];
  let complete = false;
  let finish: () => void = () => {};
  const gathered = new Promise<void>((resolve) => (finish = resolve));
  const timeout = setTimeout(() => finish(), o.timeoutMs);
  let settle: ReturnType<typeof setTimeout> | undefined;
  const onAbort = () => finish();
  o.signal?.addEventListener('abort', onAbort, { once: true });
  pc.addEventListener('icecandidate', (e) => {
    const line = e.candidate?.candidate;
    if (!line) {
      complete = true; // end of candidates
      return finish();
    }
    lines.push(line);
    if (!settle && parseIceCandidate(line)?.type === 'srflx') settle = setTimeout(() => finish(), o.settleMs ?? 250);
  });
  pc.addEventListener('icecandidateerror', (e) => {
    const err = e as RTCPeerConnectionIceErrorEvent;
    errors.push(`${err.url ?? ''} ${err.errorCode} ${err.errorText ?? ''}`.trim());
  });
  pc.addEventListener('icegatheringstatechange', () => {
    if (pc.iceGatheringState !== 'complete') return;
    complete = true;
    finish();
  });
  try {
    pc.createDataChannel('nat-probe'); // something to gather for
    await pc.setLocalDescription(await pc.createOffer());
    await gathered;
    if (o.signal?.aborted) throw new NatProbeError('NAT probe aborted');
    // candidates the events may have missed (a polyfill that only writes them into the SDP)
    for (const l of (pc.localDescription?.sdp ?? '').split(/\r?\n/)) if (l.startsWith('a=candidate:')) lines.push(l);
    return classifyCandidates(lines, o.servers, { complete, errors });
  } finally {
    clearTimeout(timeout);
    clearTimeout(settle);
    o.signal?.removeEventListener('abort', onAbort);
    pc.close();
  }
}
