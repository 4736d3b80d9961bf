/**
 * A viewer whose network drops all UDP (its router's `block udp`, as on some corporate and hotel networks)
 * still plays, through TURN over TCP and over TLS: the server hands out coturn's TCP and TLS URLs (coturn
 * listens on both, its certificate from a CA made here and trusted by the viewer through
 * NODE_EXTRA_CA_CERTS), and the Node viewer reaches them through the sdk's TURN stream bridge (libjuice
 * itself speaks TURN over UDP only). Each transport is tried alone (the other one's port blocked too); the
 * time to first byte is reported next to the same viewer's without any block.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestCa } from '@xp2p/testing';
import { createNatLab, PUBLIC_IP, type LabHost, type NatLab } from './lab.js';
import { startCoturn, startLabSystem, TURN_PORT, TURN_TLS_PORT, tearDownLab, type LabSystem } from './lab-system.js';
import { describeResult, expectDecodes, runPair, type PairResult } from './pair-run.js';

let lab: NatLab | undefined;
let sys: LabSystem | undefined;
let viewer: LabHost;
let camera: LabHost;
let caFile = '';
const work = mkdtempSync(join(tmpdir(), 'xp2p-udpblocked-'));
const report: string[] = [];

beforeAll(async () => {
  lab = await createNatLab(['pr', 'pr']);
  [viewer, camera] = lab.hosts as [LabHost, LabHost];
  const secret = randomBytes(24).toString('hex');
  sys = await startLabSystem(lab, [camera], () => [], {
    turn: {
      urls: [`turn:${PUBLIC_IP}:${TURN_PORT}?transport=tcp`, `turns:${PUBLIC_IP}:${TURN_TLS_PORT}?transport=tcp`],
      secret,
    },
  });
  // coturn's TLS certificate, for the public address the viewer dials, from a CA the viewer trusts
  const ca = makeTestCa(work);
  caFile = ca.caFile;
  const { certFile, keyFile } = ca.issue('turn', `IP:${PUBLIC_IP}`);
  await startCoturn(lab, sys.dataDir, secret, { cert: certFile, key: keyFile });
}, 180_000);

afterAll(() => tearDownLab(lab, sys, work, `NAT lab, UDP blocked`, report), 60_000);

const watch = (tag: string): Promise<PairResult> =>
  runPair(lab!, sys!, work, viewer, camera, tag, { connectTimeoutMs: 20_000 }, { NODE_EXTRA_CA_CERTS: caFile });

describe('NAT lab: a viewer whose network drops all UDP', () => {
  it('plays through TURN over TCP, and over TLS, and the stream decodes', async () => {
    const open = await watch('open');
    report.push(`no block: ${describeResult(open)}`);
    expect(open.result, String(open.lastError)).toBe(0);
    for (const [transport, otherPort] of [
      ['tcp', TURN_TLS_PORT],
      ['tls', TURN_PORT],
    ] as const) {
      await lab!.block(viewer, 'udp', `tcp:${otherPort}`);
      try {
        const r = await watch(transport);
        report.push(`UDP blocked, TURN over ${transport} only: ${describeResult(r)}`);
        expect(r.result, `${transport}: ${r.lastError}`).toBe(0);
        expect(r.unhandled, 'unhandled rejection in the viewer').toBe(false);
        expect(r.local, `over ${transport} the viewer's side is the relay`).toBe('relay');
        await expectDecodes(r);
      } finally {
        await lab!.block(viewer);
      }
    }
  }, 180_000);
});
