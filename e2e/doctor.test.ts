/**
 * `xp2p doctor` against a real local deployment: `xp2p server` with a TURN config and a real coturn on
 * loopback. Healthy: every check passes (signalling with the app's credentials, STUN answers with the
 * mapped address, TURN allocates a relay with the HMAC credentials the server hands out). Broken on
 * purpose: a TURN secret that differs from coturn's, a server behind TLS with a self-signed certificate
 * (refused) and trusted but expiring in 10 days (a warning), Redis gone, no server at all: each gives its
 * FAIL/WARN line with a fix and the exit code.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createDevConfig } from '@xp2p/server';
import { freePort, startPostgres } from '@xp2p/testing';
import { CLI, start, stopAll, type RunningProcess } from './helpers/processes.js';

const run = promisify(execFile);
const TURN_SECRET = 'doctor-test-turn-secret';
const work = mkdtempSync(join(tmpdir(), 'xp2p-doctor-'));
let turnPort: number;
let coturn: RunningProcess;

async function doctor(args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout } = await run(process.execPath, [CLI, 'doctor', ...args, '--timeout-ms', '3000'], {
      env: { ...process.env, ...env },
    });
    return { code: 0, lines: stdout.trim().split('\n') };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, lines: `${e.stdout}${e.stderr}`.trim().split('\n') };
  }
}

/** `xp2p server` with its own config file (TURN pointing at the test coturn with `secret`). */
async function startServer(name: string, secret: string, extra: string[] = [], env: Record<string, string> = {}) {
  const dir = join(work, name);
  const config = { ...createDevConfig(), turn: { urls: [`turn:127.0.0.1:${turnPort}?transport=udp`], secret } };
  const configFile = join(work, `${name}.json`);
  writeFileSync(configFile, JSON.stringify(config));
  const server = start(
    [CLI, 'server', '--config', configFile, '--data', dir, '--port', '0', '--stun-port', '0', ...extra],
    { env },
  );
  servers.push(server);
  const [, url] = await server.waitForLine(/^server: (https?:\/\/\S+)/);
  return { url: url!, configFile, server };
}

beforeAll(async () => {
  turnPort = await freePort();
  coturn = start(
    [
      ...['--listening-ip', '127.0.0.1', '--listening-port', String(turnPort), '--relay-ip', '127.0.0.1'],
      ...['--min-port', '49160', '--max-port', '49999', '--use-auth-secret', '--static-auth-secret', TURN_SECRET],
      ...['--realm', 'doctor.test', '--no-tls', '--no-dtls', '--no-cli', '--no-tcp-relay'],
      ...['--db', join(work, 'turndb'), '--pidfile', join(work, 'turn.pid'), '--log-file', 'stdout', '--simple-log'],
    ],
    { program: 'turnserver' },
  );
  // coturn buffers its log when it is not a terminal: wait for its UDP socket instead
  const until = Date.now() + 15_000;
  while (!(await run('ss', ['-Hulnp', `sport = :${turnPort}`])).stdout.includes('turnserver')) {
    if (coturn.proc.exitCode !== null || Date.now() > until)
      throw new Error(`coturn did not start: ${coturn.lines.join('\n')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}, 30_000);
// coturn lives for the whole file; each test's servers end with it
const servers: RunningProcess[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.kill()));
});
afterAll(async () => {
  await stopAll();
  rmSync(work, { recursive: true, force: true });
});

describe('xp2p doctor', () => {
  it('a healthy deployment: every check ok, one line each, exit 0', async () => {
    const { url, configFile } = await startServer('healthy', TURN_SECRET);
    const { code, lines } = await doctor([url, '--config', configFile]);
    expect(lines.map((l) => l.slice(0, 15).trim())).toEqual([
      'ok   reachable',
      'ok   ready',
      'ok   clock',
      'skip tls',
      'ok   signal',
      'ok   stun',
      'ok   turn',
    ]);
    expect(lines.find((l) => l.includes(' stun '))).toMatch(/sees this machine as 127\.0\.0\.1:\d+/);
    expect(lines.find((l) => l.includes(' turn '))).toMatch(/allocated relay 127\.0\.0\.1:(49[1-9]\d\d)/);
    expect(code).toBe(0);
  });

  it("a TURN secret that differs from coturn's: turn FAIL with the fix, exit 1", async () => {
    const { url, configFile } = await startServer('bad-turn', 'not-the-coturn-secret');
    const { code, lines } = await doctor([url, '--config', configFile]);
    const turn = lines.find((l) => l.startsWith('FAIL turn'));
    expect(turn).toMatch(/credentials refused: the TURN secret differs .* — fix: coturn running with use-auth-secret/);
    expect(code).toBe(1);
  });

  it('TLS: a self-signed certificate is refused; trusted, it shows the days left and warns under 14', async () => {
    const cert = join(work, 'cert.pem');
    const key = join(work, 'key.pem');
    await run('openssl', [
      ...['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '10', '-subj', '/CN=127.0.0.1'],
      ...['-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert],
    ]);
    const trust = { NODE_EXTRA_CA_CERTS: cert };
    const { url } = await startServer('tls', TURN_SECRET, ['--tls-cert', cert, '--tls-key', key], trust);
    expect(url).toMatch(/^https:/);
    const untrusted = await doctor([url]);
    expect(untrusted.lines[0]).toMatch(/^FAIL reachable .*self-signed certificate/);
    expect(untrusted.code).toBe(1);
    const trusted = await doctor([url], trust);
    expect(trusted.lines.find((l) => l.includes(' tls '))).toMatch(
      /^WARN tls +certificate for 127\.0\.0\.1 valid, 9 days left .* — fix: renew it now/,
    );
  });

  it('Redis unreachable: ready FAIL names it', async () => {
    const closed = await freePort();
    // a cluster node keeps its accounts in PostgreSQL (the nodes share them): a real one, Redis alone is gone
    const postgres = await startPostgres();
    try {
      const { url } = await startServer('no-redis', TURN_SECRET, [
        ...['--redis', `redis://127.0.0.1:${closed}`],
        ...['--db', postgres.url],
      ]);
      const { code, lines } = await doctor([url]);
      expect(lines.find((l) => l.startsWith('FAIL ready'))).toMatch(/redis.* — fix: start redis-server/i);
      expect(code).toBe(1);
    } finally {
      await Promise.all(servers.splice(0).map((s) => s.kill()));
      await postgres.stop();
    }
  }, 60_000);

  it('no server: reachable FAIL and nothing else, exit 1', async () => {
    const { code, lines } = await doctor([`http://127.0.0.1:${await freePort()}`]);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^FAIL reachable .*ECONNREFUSED.* — fix: is xp2p-server running/);
    expect(code).toBe(1);
  });
});
