/**
 * The relay reaches only public unicast addresses. Every viewer gets TURN credentials with its xp2pInfo,
 * so without deploy/coturn/turnserver.conf's denials any viewer could send traffic through the relay into
 * the network the relay stands in. Here a client behind a lab NAT asks coturn (run with the shipped
 * config) for permissions to peers: the lab's private hosts, its routers' LAN side, loopback, link-local
 * (cloud metadata), carrier-grade NAT and multicast are refused (403); public addresses are granted.
 */
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNatLab, PUBLIC_IP, type NatLab } from './lab.js';
import { startCoturn, TURN_PORT, TURN_REALM } from './lab-system.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const CLIENT = fileURLToPath(new URL('./turn-permission-process.mjs', import.meta.url));
const secret = randomBytes(24).toString('hex');
const work = mkdtempSync(join(tmpdir(), 'xp2p-turn-deny-'));
let lab: NatLab | undefined;

beforeAll(async () => {
  lab = await createNatLab(['fc', 'fc']);
  await startCoturn(lab, work, secret);
}, 120_000);
afterAll(async () => {
  await lab?.close();
  rmSync(work, { recursive: true, force: true });
}, 60_000);

describe('TURN relay hardening (shipped coturn config)', () => {
  it('refuses permissions to private, loopback, link-local, CGNAT and multicast peers; grants public ones', async () => {
    const [client, other] = lab!.hosts as [NonNullable<NatLab['hosts'][0]>, NonNullable<NatLab['hosts'][0]>];
    const denied = [
      other.ip,
      client.ip.replace(/\.2$/, '.1'),
      '127.0.0.1',
      '169.254.169.254',
      '100.64.0.1',
      '224.0.0.1',
      '172.16.0.1',
      '192.168.1.1',
    ];
    const granted = [other.publicIp, PUBLIC_IP];
    const proc = lab!.start(client.ns, [
      CLIENT,
      JSON.stringify({ server: PUBLIC_IP, port: TURN_PORT, secret, realm: TURN_REALM, peers: [...denied, ...granted] }),
    ]);
    await proc.exited;
    const answers = proc.lines
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { peer?: string; status?: number; error?: string });
    expect(answers.find((a) => a.error)).toBeUndefined();
    const statusOf = new Map(answers.map((a) => [a.peer, a.status]));
    for (const peer of denied) expect(statusOf.get(peer), peer).toBe(403);
    for (const peer of granted) expect(statusOf.get(peer), peer).toBe(200);
  }, 60_000);
});
