/**
 * The guide's codes and §4 events for a real 1vN service (server, publisher and peer in separate
 * processes): the 1v1-only calls on a 1vN id answer -2004 with lastError set; stopping the service sends
 * `close`; when no node serving the stream can be reached any more (the server is gone) the peer gets
 * `disconnect`, not `eof`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, start, stopAll, viewerEvents } from './helpers/processes.js';
import { startSystem, type TestSystem } from './helpers/system.js';

const PEER = new URL('./helpers/swarm-peer-process.mjs', import.meta.url).pathname;
let sys: TestSystem;
const work = mkdtempSync(join(tmpdir(), 'xp2p-swarm-guide-'));

beforeAll(async () => {
  sys = await startSystem();
});
afterAll(async () => {
  await stopAll();
  sys?.cleanup();
  rmSync(work, { recursive: true, force: true });
});

/** the URL `xp2p publish` printed: with the stream's key, so the service checks the origin's signatures */
const signedUrls = new Map<string, string>();
const startPeer = (name: string, i: number, extra: Record<string, unknown> = {}) =>
  start([
    PEER,
    JSON.stringify({
      streamUrl: signedUrls.get(name) ?? `${sys.serverUrl}/live/${name}.flv`,
      appParams: sys.appParams,
      out: join(work, `${name}-${i}.flv`),
      ...extra,
    }),
  ]);

describe("a 1vN service and the guide's codes and events", () => {
  it('1v1-only calls answer -2004 with lastError; stopping sends close; losing every node sends disconnect', async () => {
    const publisher = start([CLI, 'publish', 'guide', 'sample', '--server', sys.serverUrl, '--data', sys.dataDir]);
    await publisher.waitForLine(/^publishing:/);
    signedUrls.set('guide', (await publisher.waitForLine(/^watch: (\S+\?pk=\S+)$/))[1]!);
    await new Promise((r) => setTimeout(r, 1500));

    const asked = startPeer('guide', 0, { tryOneToOneCalls: true });
    await asked.waitForLine(/"oneToOneCalls"/, 20_000);
    const calls = viewerEvents(asked).find((e) => 'oneToOneCalls' in e)!;
    expect(calls.oneToOneCalls).toEqual({
      sendCommand: -2004,
      startVoiceService: -2004,
      startLocalDownload: -2004,
      startP2PStream: -2004,
    });
    expect(String(calls.lastError)).toMatch(/1v1 call.*1vN stream/);
    await asked.kill(); // SIGTERM: the process stops its service first
    const notifies = viewerEvents(asked).flatMap((e) => (e.notify ? [e.notify] : []));
    expect(notifies.at(-1), `the peer's last lines:\n${asked.lines.slice(-15).join('\n')}`).toBe('close');
    expect(notifies).not.toContain('disconnect');

    const watcher = startPeer('guide', 1);
    await watcher.waitForLine(/firstByteMs/, 20_000);
    await sys.server.kill('SIGKILL'); // the only node: tracker and origin are gone at once
    await watcher.waitForLine(/"notify":"(disconnect|eof)"/, 30_000);
    const end = viewerEvents(watcher).find((e) => e.notify === 'disconnect' || e.notify === 'eof')!;
    expect(end.notify).toBe('disconnect');
  });
});
