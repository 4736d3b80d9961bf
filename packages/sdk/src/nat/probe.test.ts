/** The classifier's decision tree (RFC 5780 §4.3, §4.4) against simulated NATs of every behaviour. */
import { describe, expect, it } from 'vitest';
import { natTypeName, NatProbeError, probeNat, type NatBehaviour } from './probe.js';
import { simulatedNetwork } from '@xp2p/testing/nat';

const EI: NatBehaviour = 'endpoint-independent';
const AD: NatBehaviour = 'address-dependent';
const APD: NatBehaviour = 'address-and-port-dependent';
const fast = { rtoMs: 5, attempts: 2 };

describe('probeNat with an RFC 5780 server (two IPs, two ports)', () => {
  it.each([
    [EI, EI, 'full-cone'],
    [EI, AD, 'restricted-cone'],
    [EI, APD, 'port-restricted-cone'],
    [AD, APD, 'symmetric'],
    [APD, APD, 'symmetric'],
    [APD, EI, 'symmetric'],
  ] as const)('mapping %s, filtering %s → %s', async (mapping, filtering, natType) => {
    const net = simulatedNetwork({ mapping, filtering });
    const r = await probeNat({
      transport: net.transport,
      servers: [{ host: 'stun.example.test', port: 3478 }],
      ...fast,
    });
    expect(r).toMatchObject({ mapping, filtering, natType, behindNat: true, rfc5780: true });
    expect(r.mapped.address).toBe('198.51.100.1');
    expect(net.openSockets()).toBe(0);
  });

  it('no NAT: open', async () => {
    const net = simulatedNetwork({ mapping: 'none', filtering: 'none' });
    const r = await probeNat({ transport: net.transport, servers: [{ host: '203.0.113.1', port: 3478 }], ...fast });
    expect(r).toMatchObject({ behindNat: false, natType: 'open', mapping: EI, filtering: EI });
  });
});

describe('probeNat with less than RFC 5780', () => {
  it('one IP, two ports: port-dependent mapping and filtering are still found', async () => {
    const sym = simulatedNetwork({ mapping: APD, filtering: APD }, ['203.0.113.1']);
    const r = await probeNat({ transport: sym.transport, servers: [{ host: '203.0.113.1', port: 3478 }], ...fast });
    expect(r).toMatchObject({ mapping: APD, filtering: APD, natType: 'symmetric', rfc5780: true });
    const cone = simulatedNetwork({ mapping: EI, filtering: AD }, ['203.0.113.1']);
    const c = await probeNat({ transport: cone.transport, servers: [{ host: '203.0.113.1', port: 3478 }], ...fast });
    // a port change is answered: address-dependent or independent, cannot tell with one IP
    expect(c).toMatchObject({ mapping: EI, filtering: 'unknown', natType: 'unknown' });
  });

  it('skips names that do not resolve and fails clearly when nobody answers', async () => {
    const net = simulatedNetwork({ mapping: EI, filtering: APD });
    const r = await probeNat({
      transport: net.transport,
      servers: [
        { host: 'nowhere.invalid', port: 3478 },
        { host: 'stun.example.test', port: 3478 },
      ],
      ...fast,
    });
    expect(r.natType).toBe('port-restricted-cone');
    await expect(
      probeNat({ transport: net.transport, servers: [{ host: '192.0.2.9', port: 3478 }], ...fast }),
    ).rejects.toThrow(NatProbeError);
    await expect(
      probeNat({ transport: net.transport, servers: [{ host: 'nowhere.invalid', port: 1 }], ...fast }),
    ).rejects.toThrow(/no STUN server address could be resolved/);
    expect(net.openSockets()).toBe(0);
  });

  it('names the classic types', () => {
    expect(natTypeName(true, EI, EI)).toBe('full-cone');
    expect(natTypeName(true, APD, 'unknown')).toBe('symmetric');
    expect(natTypeName(false, EI, 'unknown')).toBe('open');
    expect(natTypeName(true, 'unknown', APD)).toBe('unknown');
  });
});
