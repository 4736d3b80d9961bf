/**
 * The browser NAT probe (ICE gathering). The candidate lines below are what Debian's Chromium gathered on
 * this machine (eth0 192.0.2.2) against a loopback STUN responder: with mDNS off (the test flags), and
 * with Chromium's default mDNS names. The gathering itself runs for real on node-datachannel's
 * RTCPeerConnection against a loopback STUN responder that reports the mapped address it is told to.
 */
import dgram from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { RTCPeerConnection } from 'node-datachannel/polyfill';
import { classifyCandidates, iceNatProbe, parseIceCandidate } from './ice-probe.js';
import { NatMonitor, type NatChangedDetail, type NatErrorDetail } from './monitor.js';
import { encodeResponse } from '@xp2p/testing/nat';
import type { Endpoint } from './stun.js';

const server = [{ host: '127.0.0.1', port: 3478 }];
const chromiumNoMdns = [
  'candidate:2792992688 1 udp 2113937151 192.0.2.2 55981 typ host generation 0 ufrag lNdB network-cost 999',
  'candidate:1830776400 1 udp 2113942271 fd00::2 54301 typ host generation 0 ufrag lNdB network-cost 999',
  'candidate:3158119939 1 udp 1677729535 127.0.0.1 55981 typ srflx raddr 192.0.2.2 rport 55981 generation 0',
];
const chromiumSameHost = [
  'candidate:3441221791 1 udp 2113937151 192.0.2.2 36010 typ host generation 0 ufrag ZkTP network-cost 999',
  'candidate:3612891436 1 udp 1677729535 192.0.2.2 36010 typ srflx raddr 192.0.2.2 rport 36010 generation 0',
];
// a page that may enumerate every interface: sockets bound to each address, and srflx equal to its
// base dropped as redundant; gathering completed in ~130 ms with host candidates only
const chromiumAllInterfaces = [
  'candidate:971914936 1 udp 2122194687 127.0.0.1 57705 typ host generation 0 ufrag NqMz network-id 3 network-cost 50',
  'candidate:2547228980 1 udp 2122063615 192.0.2.2 43292 typ host generation 0 ufrag NqMz network-id 1',
  'candidate:351791715 1 udp 2122267903 ::1 39243 typ host generation 0 ufrag NqMz network-id 4 network-cost 50',
  'candidate:2579554418 1 tcp 1518214911 127.0.0.1 9 typ host tcptype active generation 0 ufrag NqMz network-id 3',
];
const chromiumMdns = [
  'candidate:3428755708 1 udp 1677729535 203.0.113.9 45968 typ srflx raddr 0.0.0.0 rport 0 generation 0',
  'candidate:3592032591 1 udp 2113937151 66473f64-72b9-490c-ad3e-b1c28ffa3d3f.local 45968 typ host generation 0',
];

describe('classifyCandidates', () => {
  it('parses candidate lines, with or without "a=", and rejects malformed ones', () => {
    expect(parseIceCandidate(chromiumNoMdns[2]!)).toEqual({
      protocol: 'udp',
      address: '127.0.0.1',
      port: 55981,
      type: 'srflx',
      relatedAddress: '192.0.2.2',
      relatedPort: 55981,
    });
    expect(parseIceCandidate(`a=${chromiumSameHost[0]!}`)).toMatchObject({ type: 'host', address: '192.0.2.2' });
    expect(parseIceCandidate('candidate:1 1 udp x 1.2.3.4 5 typ host')).toBeUndefined();
    expect(parseIceCandidate('')).toBeUndefined();
  });

  it('open: the mapped address is one of the host addresses, or loopback (the STUN server is local)', () => {
    expect(classifyCandidates(chromiumSameHost, server)).toMatchObject({
      natType: 'open',
      behindNat: false,
      mapped: { address: '192.0.2.2', port: 36010 },
      local: { address: '192.0.2.2', port: 36010 },
      filtering: 'unknown',
      rfc5780: false,
    });
    expect(classifyCandidates(chromiumNoMdns, server)).toMatchObject({
      natType: 'open',
      mapped: { address: '127.0.0.1', port: 55981 },
    });
  });

  it('behind a NAT: the host addresses are known and the mapped one is not among them (type not measurable)', () => {
    const natted = [
      'candidate:1 1 udp 2113937151 10.0.0.2 50000 typ host',
      'candidate:2 1 udp 1677729535 198.51.100.7 61000 typ srflx raddr 10.0.0.2 rport 50000',
    ];
    expect(classifyCandidates(natted, server)).toMatchObject({
      natType: 'unknown',
      behindNat: true,
      mapping: 'unknown',
      mapped: { address: '198.51.100.7', port: 61000 },
      local: { address: '10.0.0.2', port: 50000 },
      observations: [{ server: { address: '127.0.0.1', port: 3478 }, mapped: { address: '198.51.100.7' } }],
    });
  });

  it('mDNS-hidden host addresses: the mapped address is known, whether there is a NAT is not', () => {
    const r = classifyCandidates(chromiumMdns, server);
    expect(r).toMatchObject({ natType: 'unknown', mapped: { address: '203.0.113.9' }, local: { address: '0.0.0.0' } });
    expect(r.behindNat).toBeUndefined();
  });

  it('no srflx but gathering completed without errors: every answer was the host address itself, open', () => {
    expect(classifyCandidates(chromiumAllInterfaces, server, { complete: true, errors: [] })).toMatchObject({
      natType: 'open',
      behindNat: false,
      mapped: { address: '127.0.0.1', port: 57705 }, // the host with the STUN server's own address
    });
    const remote = [{ host: '198.51.100.1', port: 3478 }];
    expect(classifyCandidates(chromiumAllInterfaces, remote, { complete: true, errors: [] })).toMatchObject({
      natType: 'open',
      mapped: { address: '192.0.2.2', port: 43292 }, // else the first that is not loopback
    });
    // cut short by the timeout (a silent server never completes gathering), or an ICE error: not a result
    expect(() => classifyCandidates(chromiumAllInterfaces, server, { complete: false, errors: [] })).toThrow(
      /no STUN server answered/,
    );
    expect(() =>
      classifyCandidates(chromiumAllInterfaces, server, {
        complete: true,
        errors: ['stun:127.0.0.1:3478 701 timeout'],
      }),
    ).toThrow(/ICE errors: stun:127\.0\.0\.1:3478 701 timeout/);
  });

  it('no srflx candidate (no STUN server answered, or only IPv6 / TCP ones): a NatProbeError naming the servers', () => {
    expect(() => classifyCandidates(chromiumSameHost.slice(0, 1), server)).toThrow(
      /no server-reflexive candidate.*127\.0\.0\.1:3478/,
    );
    expect(() =>
      classifyCandidates(['candidate:1 1 tcp 1 198.51.100.7 9 typ srflx raddr 10.0.0.2 rport 9 tcptype passive'], []),
    ).toThrow(/asked none/);
  });
});

/** A loopback STUN responder answering every Binding request with the mapped address it is told to. */
async function stunResponder(mappedFor: (from: Endpoint) => Endpoint | undefined) {
  const socket = dgram.createSocket('udp4');
  let requests = 0;
  socket.on('message', (msg, rinfo) => {
    const m = new Uint8Array(msg);
    if (m.length < 20 || m[0] !== 0 || m[1] !== 1) return; // Binding requests only
    requests++;
    const mapped = mappedFor({ address: rinfo.address, port: rinfo.port });
    if (mapped) socket.send(encodeResponse(m.subarray(8, 20), { mapped }), rinfo.port, rinfo.address);
  });
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', r));
  const port = socket.address().port;
  return { port, requests: () => requests, close: () => socket.close() };
}

const PC = RTCPeerConnection as unknown as new (
  config: RTCConfiguration & Record<string, unknown>,
) => globalThis.RTCPeerConnection;
const closers: (() => void)[] = [];
afterEach(() => closers.splice(0).forEach((c) => c()));

describe('iceNatProbe on a real RTCPeerConnection (node-datachannel)', () => {
  it('reads the mapped address from the srflx candidate; natChanged when it changes, natError when STUN stops', async () => {
    const nat = { publicAddress: '198.51.100.7' as string | undefined };
    const stun = await stunResponder((from) =>
      nat.publicAddress ? { address: nat.publicAddress, port: from.port } : undefined,
    );
    closers.push(stun.close);
    const servers = [{ host: '127.0.0.1', port: stun.port }];
    const direct = await iceNatProbe({
      RTCPeerConnection: PC,
      servers,
      timeoutMs: 3000,
      rtcConfigExtras: { bindAddress: '127.0.0.1' },
    });
    expect(direct).toMatchObject({ mapped: { address: '198.51.100.7' }, natType: 'unknown', behindNat: true });
    expect(stun.requests()).toBeGreaterThan(0);

    const changed: NatChangedDetail[] = [];
    const errors: NatErrorDetail[] = [];
    const network = { fire: () => {} };
    const monitor = new NatMonitor({
      prober: (s, signal) =>
        iceNatProbe({
          RTCPeerConnection: PC,
          servers: s,
          timeoutMs: 1500,
          signal,
          rtcConfigExtras: { bindAddress: '127.0.0.1' },
        }),
      servers: async () => servers,
      watchNetwork: (onChange) => {
        network.fire = onChange;
        return () => (network.fire = () => {});
      },
      intervalMs: 0,
      errorCode: -2202,
      onChanged: (d) => changed.push(d),
      onError: (d) => errors.push(d),
    });
    closers.push(() => monitor.stop());
    await monitor.probe('init');
    monitor.startTimer();
    expect(monitor.stats()).toMatchObject({ state: 'ok', mapped: { address: '198.51.100.7' }, probes: 1 });

    nat.publicAddress = '203.0.113.99'; // the network changed: a network signal re-probes
    network.fire();
    await expect.poll(() => changed.length, { timeout: 5000 }).toBe(1);
    expect(changed[0]).toMatchObject({
      reasons: ['mapped-address'],
      previous: { mapped: { address: '198.51.100.7' } },
      current: { mapped: { address: '203.0.113.99' }, state: 'ok' },
    });

    nat.publicAddress = undefined; // STUN no longer answers (offline)
    network.fire();
    await expect.poll(() => errors.length, { timeout: 5000 }).toBe(1);
    expect(errors[0]).toMatchObject({ code: -2202, message: expect.stringMatching(/no server-reflexive candidate/) });
    expect(monitor.stats()).toMatchObject({ state: 'failed', mapped: { address: '203.0.113.99' } });

    monitor.stop();
    network.fire(); // unsubscribed: nothing more
    expect(monitor.stats().probes).toBe(3);
  });
});
