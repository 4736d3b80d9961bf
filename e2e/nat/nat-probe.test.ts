/**
 * The sdk's NAT probe against real NATs: the RFC 5780 responder runs in the lab's public namespace on two
 * addresses and two ports; the probe, run from a host behind each router, must name that router's NAT.
 * Also checks the lab itself: if a recipe in lab.sh stopped producing its NAT type, this fails first.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNatLab, NAT_TYPES, PUBLIC_IP, PUBLIC_IP_2, type NatLab, type NatType } from './lab.js';
import { fileURLToPath } from 'node:url';

const RESPONDER = fileURLToPath(new URL('./stun5780-process.mjs', import.meta.url));
const PROBE = fileURLToPath(new URL('./probe-process.mjs', import.meta.url));

const EXPECTED: Record<NatType, { natType: string; mapping: string; filtering: string }> = {
  fc: { natType: 'full-cone', mapping: 'endpoint-independent', filtering: 'endpoint-independent' },
  ar: { natType: 'restricted-cone', mapping: 'endpoint-independent', filtering: 'address-dependent' },
  pr: { natType: 'port-restricted-cone', mapping: 'endpoint-independent', filtering: 'address-and-port-dependent' },
  sym: { natType: 'symmetric', mapping: 'address-and-port-dependent', filtering: 'address-and-port-dependent' },
};

let lab: NatLab | undefined;
let port = 0;

beforeAll(async () => {
  lab = await createNatLab([...NAT_TYPES]);
  const responder = lab.start(lab.pub, [
    RESPONDER,
    JSON.stringify({ addresses: [PUBLIC_IP, PUBLIC_IP_2], ports: [3480, 3481] }),
  ]);
  port = Number((await responder.waitForLine(/^stun5780: (\d+)/))[1]);
}, 120_000);

afterAll(async () => {
  await lab?.close();
}, 60_000);

describe('NAT probe in the lab', () => {
  it('classifies each router: full cone, restricted cone, port-restricted cone, symmetric', async () => {
    const results = await Promise.all(
      lab!.hosts.map(async (h) => {
        const p = lab!.start(h.ns, [
          PROBE,
          JSON.stringify({ servers: [{ host: PUBLIC_IP, port }], bindAddress: h.ip }),
        ]);
        const line = await p.waitForLine(/^\{/, 30_000);
        await p.exited;
        return { host: h, out: JSON.parse(line.input) as { result?: Record<string, unknown>; error?: string } };
      }),
    );
    for (const { host, out } of results) {
      expect(out.error, host.type).toBeUndefined();
      expect(out.result, host.type).toMatchObject({ ...EXPECTED[host.type], behindNat: true, rfc5780: true });
      expect((out.result?.mapped as { address: string }).address).toBe(host.publicIp);
    }
  }, 60_000);
});
