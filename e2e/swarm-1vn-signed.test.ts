/**
 * The origin signs its 1vN records; a hostile node or path between the viewers and the origin swaps chunk
 * hashes in the tracker's announcements and the manifest, and serves bytes that match the swapped hashes
 * (e2e/helpers/hostile-origin-proxy.ts). A viewer given the stream's key (`?pk=` in the URL `xp2p publish`
 * prints) refuses every swapped record, never hands a poisoned byte to its player, and keeps playing the
 * origin's chunks. A viewer without the key, on the same path, plays the poisoned bytes: the attack is real.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitUntil } from '@xp2p/testing';
import { CLI, start, stopAll, viewerEvents, type RunningProcess } from './helpers/processes.js';
import { startSystem, type TestSystem } from './helpers/system.js';
import { waitForChunks } from './helpers/streams.js';
import { POISON_MARKER, startHostileProxy, type HostileProxy } from './helpers/hostile-origin-proxy.js';

const PEER = new URL('./helpers/swarm-peer-process.mjs', import.meta.url).pathname;
let sys: TestSystem;
let proxy: HostileProxy | undefined;
const work = mkdtempSync(join(tmpdir(), 'xp2p-swarm-signed-'));

beforeAll(async () => {
  sys = await startSystem();
});
afterAll(async () => {
  await stopAll();
  await proxy?.close();
  sys?.cleanup();
  rmSync(work, { recursive: true, force: true });
});

const startPeer = (streamUrl: string, out: string) =>
  start([PEER, JSON.stringify({ streamUrl, appParams: sys.appParams, out: join(work, out), api: 'events' })]);
const lastStats = (p: RunningProcess) =>
  viewerEvents(p)
    .filter((e) => e.stats)
    .at(-1) as { stats: { refusedRecords: number; chunksOut: number }; mediaMs: number } | undefined;
const played = (p: RunningProcess) => lastStats(p)?.mediaMs ?? 0;
const poisonedOutput = (file: string) => readFileSync(join(work, file)).includes(POISON_MARKER);

describe('origin signatures on 1vN records', () => {
  it('a viewer with the key refuses swapped hashes and plays only the origin’s bytes; one without plays poison', async () => {
    const publisher = start([CLI, 'publish', 'signed', 'sample', '--server', sys.serverUrl, '--data', sys.dataDir]);
    const watch = await publisher.waitForLine(/^watch: (\S+)$/);
    const signedUrl = new URL(watch[1]!);
    expect(signedUrl.searchParams.get('pk')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    await waitForChunks(sys.serverUrl, 'signed');
    // every third chunk swapped on the way, from the start on
    proxy = await startHostileProxy(sys.serverUrl, (seq) => seq % 3 === 1);
    const viaProxy = `${proxy.url}${signedUrl.pathname}`;

    const checked = startPeer(`${viaProxy}${signedUrl.search}`, 'checked.flv');
    const unchecked = startPeer(viaProxy, 'unchecked.flv');
    await waitUntil(() => played(checked) >= 8_000 && played(unchecked) >= 8_000, {
      timeoutMs: 60_000,
      intervalMs: 250,
      what: 'both viewers to play 8 s of media',
    });

    // the attack reached both viewers...
    expect(proxy.swapped.size).toBeGreaterThan(2);
    expect(poisonedOutput('unchecked.flv'), 'the viewer without the key played poisoned bytes').toBe(true);
    // ...and the one with the key dropped every swapped record it was sent, and nothing else
    const refused = viewerEvents(checked).flatMap((e) => {
      const ev = e.event as { type?: string; record?: string } | undefined;
      return ev?.type === 'record-refused' ? [Number(ev.record!.replace('chunk ', ''))] : [];
    });
    expect(refused.length).toBeGreaterThan(2);
    for (const seq of refused) expect(proxy.swapped.has(seq), `chunk ${seq} was not swapped`).toBe(true);
    expect(lastStats(checked)?.stats.refusedRecords).toBeGreaterThan(2);
    expect(poisonedOutput('checked.flv'), 'no poisoned byte reached the checked viewer’s player').toBe(false);
    await publisher.kill();
  });
});
