/**
 * Secure by default off loopback. Before, every part would talk plaintext to any host it was given, so an
 * attacker on the path could rewrite signalling (SDP fingerprints, tokens); and a camera trusted whatever
 * certificate the system's CAs vouched for. Now plaintext to another machine needs --insecure, and a
 * camera can pin its server's certificate (a CA file, or the certificate's SHA-256 fingerprint).
 * 192.0.2.1 (TEST-NET-1) is never contacted: the refusals happen before any connection.
 */
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestCa } from '@xp2p/testing';
import { CLI, start, stopAll } from './helpers/processes.js';
import { startSystem, type TestSystem } from './helpers/system.js';

const REMOTE = 'http://192.0.2.1:18080';
let certDir: string;
let sys: TestSystem;
let caFile: string;
let fingerprint: string;

beforeAll(async () => {
  certDir = mkdtempSync(join(tmpdir(), 'xp2p-pin-'));
  const ca = makeTestCa(certDir);
  const { certFile, keyFile } = ca.issue('server');
  caFile = ca.caFile;
  fingerprint = new X509Certificate(readFileSync(certFile)).fingerprint256;
  sys = await startSystem({ serverArgs: ['--tls-cert', certFile, '--tls-key', keyFile] });
});
afterAll(async () => {
  await stopAll();
  sys?.cleanup();
  rmSync(certDir, { recursive: true, force: true });
});

async function refusedQuickly(args: string[]): Promise<string> {
  const p = start([CLI, ...args]);
  const code = await Promise.race([p.exited, new Promise<'running'>((r) => setTimeout(() => r('running'), 10_000))]);
  expect(code, p.lines.join('\n')).not.toBe('running');
  expect(code).not.toBe(0);
  return p.lines.join('\n');
}

describe('plaintext off loopback', () => {
  it('the camera, the CLI and the server refuse it without --insecure', async () => {
    const data = ['--data', sys.dataDir];
    expect(await refusedQuickly(['device', '--server', REMOTE, ...data])).toMatch(/plaintext.*--insecure/);
    expect(
      await refusedQuickly(['cmd', 'demo/cam1', 'action=inner_define&cmd=x', '--server', REMOTE, ...data]),
    ).toMatch(/plaintext/);
    expect(await refusedQuickly(['watch', 'http://192.0.2.1:18080/live/x.flv', ...data])).toMatch(/plaintext/);
    expect(await refusedQuickly(['server', '--host', '0.0.0.0', '--port', '0', '--stun-port', '0', ...data])).toMatch(
      /plaintext|--tls-cert/,
    );
  });
});

describe('certificate pinning on the camera', () => {
  const device = (extra: string[]) =>
    start([CLI, 'device', '--server', sys.serverUrl, '--data', sys.dataDir, ...extra], {
      env: { NODE_EXTRA_CA_CERTS: '' },
    });

  it('with --server-ca the camera trusts that CA alone and goes online', async () => {
    const p = device(['--server-ca', caFile]);
    await p.waitForLine(/^device: .* online/, 20_000);
    await p.kill();
  });

  it('with the right --server-fingerprint it goes online; with another one it never logs in', async () => {
    const good = device(['--server-fingerprint', fingerprint]);
    await good.waitForLine(/^device: .* online/, 20_000);
    await good.kill();
    const wrong = fingerprint.replace(/^../, fingerprint.startsWith('00') ? '11' : '00');
    const bad = device(['--server-fingerprint', wrong]);
    await bad.waitForLine(/certificate fingerprint/i, 20_000);
    await new Promise((r) => setTimeout(r, 2_000));
    expect(bad.lines.some((l) => /^device: .* online/.test(l))).toBe(false);
    await bad.kill();
  });
});
