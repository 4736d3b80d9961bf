/**
 * The server deployed as clouds run it: listening on a private address behind a 1:1 NAT router (TCP port
 * forwarded, all UDP to it, so its STUN service answers on the router's public address), reached by a DNS
 * name (a hosts file in every lab namespace), with no publicUrl and no iceServers configured. It must
 * advertise STUN at the name its clients used (never its private listen address), and every punchable
 * viewer × camera pair must still connect directly (server-reflexive candidates come from that STUN).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNatLab, NAT_TYPES, type LabHost, type NatLab } from './lab.js';
import { startLabSystem, STUN_PORT, tearDownLab, type LabSystem } from './lab-system.js';
import { describeResult, expectDecodes, limited, pairsOf, runPair, UNPUNCHABLE } from './pair-run.js';

const NAME = 'xp2p.lab';
const PORT = 18080;

let lab: NatLab | undefined;
let sys: LabSystem | undefined;
let viewers: LabHost[] = [];
let cameras: LabHost[] = [];
let serverHost: LabHost;
const work = mkdtempSync(join(tmpdir(), 'xp2p-natserver-'));
const report: string[] = [];

beforeAll(async () => {
  // hosts 1-4: viewers behind fc, ar, pr, sym; 5-8: cameras behind the same; 9: the server (1:1 NAT)
  lab = await createNatLab([...NAT_TYPES, ...NAT_TYPES, 'fc']);
  viewers = lab.hosts.slice(0, 4);
  cameras = lab.hosts.slice(4, 8);
  serverHost = lab.hosts[8]!;
  sys = await startLabSystem(lab, cameras, () => [], { behindNat: { host: serverHost, name: NAME, port: PORT } });
}, 180_000);

afterAll(() => tearDownLab(lab, sys, work, `NAT lab, server behind NAT by name`, report), 60_000);

describe('NAT lab: server on a private address behind 1:1 NAT, reached by name', () => {
  it('advertises STUN at its name, not its private listen address (GET /api/server-info, by name)', async () => {
    const info = JSON.parse(
      await lab!.exec(viewers[0]!.ns, 'curl', ['-s', '--max-time', '10', `http://${NAME}:${PORT}/api/server-info`]),
    ) as { version: string; stunUrls: string[] };
    report.push(`server-info from a viewer host: ${JSON.stringify(info)}`);
    expect(info.stunUrls).toEqual([`stun:${NAME}:${STUN_PORT}`]);
    expect(info.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(sys!.server.lines.join('\n')).not.toMatch(new RegExp(`advertising STUN stun:${serverHost.ip}`));
  });

  it('the 13 punchable pairs connect directly and the live stream decodes', async () => {
    const started = performance.now();
    const results = await limited(
      pairsOf(viewers, cameras).filter((p) => !UNPUNCHABLE.has(p.key)),
      (p) => runPair(lab!, sys!, work, p.v, p.c, 'byname'),
    );
    report.push(`13 punchable pairs: ${Math.round(performance.now() - started)} ms`);
    for (const r of results) report.push(`  ${describeResult(r)}`);
    for (const r of results) {
      expect(r.result, `${r.key}: ${r.lastError}`).toBe(0);
      expect(r.unhandled, `${r.key}: unhandled rejection in the viewer`).toBe(false);
      expect(r.local, `${r.key} must not use a relay`).toMatch(/^(host|srflx|prflx)$/);
      expect(r.remote, `${r.key} must not use a relay`).toMatch(/^(host|srflx|prflx)$/);
    }
    await Promise.all(results.map(expectDecodes));
  }, 180_000);
});
