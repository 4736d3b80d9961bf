/**
 * `npm run soak`: the long run with chaos (SOAK_MINUTES, default 30; SOAK_KILL_EVERY_SECONDS, default a sixth
 * of the run within 45–180 s; SOAK_WARMUP_SECONDS, default 60). Starts the cast (see cast.ts), kill -9s a
 * random part at every interval and starts it again, samples resources, checks downloads and recordings,
 * and writes RELIABILITY.md. Exits 1 when a kill was not recovered within its bound or a byte was corrupted.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT, stopChild } from '../scale/child-processes.js';
import { freePort } from '../scale/cluster-bench.js';
import { Cast, RECOVERY_BOUND_MS, type Part, type PartKind } from './cast.js';
import { isRunning, killHard } from './cli-process.js';
import { checkDownload, decodeErrors, filesUnder, listRecordings, type DownloadCheck } from './integrity.js';
import { writeReliability, type KillRecord } from './report.js';
import { sampleParts, trends, type Sample } from './resources.js';

const num = (name: string, fallback: number): number => {
  const v = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(v) || v <= 0) throw new Error(`${name}: a positive number, got ${process.env[name]}`);
  return v;
};
const minutes = num('SOAK_MINUTES', 30);
const killEveryS = num('SOAK_KILL_EVERY_SECONDS', Math.min(180, Math.max(45, (minutes * 60) / 6)));
const warmupS = num('SOAK_WARMUP_SECONDS', 60);
const say = (line: string): void => void process.stderr.write(`soak ${Math.round(elapsedS())} s: ${line}\n`);
/** the run's clock: restarted once the cast is up, so SOAK_MINUTES counts the time under chaos */
let t0 = performance.now();
const elapsedS = (): number => (performance.now() - t0) / 1000;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const dataDir = mkdtempSync(join(tmpdir(), 'xp2p-soak-'));
const ports = {
  redis: await freePort(),
  nodes: [await freePort(), await freePort()] as [number, number],
  viewer: await freePort(),
  peers: await Promise.all(Array.from({ length: 6 }, () => freePort())),
};
const cast = new Cast(dataDir, ports);
const byName = (name: string): Part => cast.parts.find((p) => p.name === name)!;
const samples: Sample[] = [];
const kills: KillRecord[] = [];
const downloads: Promise<DownloadCheck>[] = [];
const unplanned: string[] = [];
const liveGaps: string[] = [];
const killing = new Set<Part>();
let loadMax = loadavg()[0]!;

/** Restarts a part that died without being killed (recorded: that is a failure of the system). */
async function supervise(): Promise<void> {
  for (const part of cast.parts) {
    if (killing.has(part) || isRunning(part.proc)) continue;
    unplanned.push(`${part.name} exited by itself at ${Math.round(elapsedS())} s; restarted`);
    say(unplanned[unplanned.length - 1]!);
    await part.start().catch((err: Error) => say(`restart of ${part.name} failed: ${err.message}`));
  }
}

/** Live gaps longer than 5 s on any player, with the kill that preceded them. */
function watchGaps(): () => void {
  const openGap = new Map<string, number>();
  const timer = setInterval(() => {
    for (const part of cast.parts) {
      if (!part.reader || part.reader.lastByteAt === 0) continue;
      const silentS = (performance.now() - part.reader.lastByteAt) / 1000;
      if (silentS > 5 && !openGap.has(part.name)) openGap.set(part.name, elapsedS() - silentS);
      if (silentS < 1 && openGap.has(part.name)) {
        const from = openGap.get(part.name)!;
        openGap.delete(part.name);
        const cause = [...kills].reverse().find((k) => k.atS <= from + 1);
        liveGaps.push(
          `${part.name}: no live bytes for ${(elapsedS() - from).toFixed(1)} s from ${Math.round(from)} s` +
            (cause ? ` (after the kill of ${cause.part} at ${cause.atS} s)` : ''),
        );
      }
    }
  }, 500);
  return () => clearInterval(timer);
}

/** Starts one download of a finished recording through the node that is not about to die, not awaited. */
async function downloadDuringChaos(target: Part, n: number): Promise<void> {
  const via = target.name === 'node B' ? cast.nodeUrls[0] : cast.nodeUrls[1];
  const list = await listRecordings(via, dataDir).catch(() => []);
  const finished = list.filter((r) => r.end_time < Date.now() / 1000 - 25);
  const rec = finished[Math.floor(Math.random() * finished.length)];
  if (!rec) return;
  const out = join(dataDir, `download-${n}.flv`);
  downloads.push(
    checkDownload(
      rec,
      `${via},${via === cast.nodeUrls[0] ? cast.nodeUrls[1] : cast.nodeUrls[0]}`,
      dataDir,
      cast.recordingsDir,
      out,
    ),
  );
}

async function killAndRecover(kind: PartKind, n: number): Promise<void> {
  const candidates = cast.parts.filter((p) => p.kind === kind);
  const part = candidates[Math.floor(Math.random() * candidates.length)]!;
  await downloadDuringChaos(part, n);
  const record: KillRecord = { atS: Math.round(elapsedS()), part: part.name, kind };
  kills.push(record);
  say(`kill -9 ${part.name}`);
  killing.add(part);
  const killedAt = performance.now();
  try {
    await killHard(part.proc!);
    await part.start();
    const left = RECOVERY_BOUND_MS[kind] - (performance.now() - killedAt);
    await part.recovered(Math.max(0, left));
    record.recoveredMs = Math.round(performance.now() - killedAt);
    say(`${part.name} recovered in ${record.recoveredMs} ms`);
  } catch (err) {
    record.error = (err as Error).message;
    say(`${part.name} NOT recovered: ${record.error}`);
  } finally {
    killing.delete(part);
  }
}

async function finalChecks(): Promise<{ recordings: { file: string; errors: string }[] }> {
  const list = await listRecordings(cast.nodeUrls[1], dataDir).catch(() => []);
  const finished = list.filter((r) => r.end_time < Date.now() / 1000 - 25).slice(-3);
  for (const [i, rec] of finished.entries()) {
    downloads.push(
      checkDownload(rec, cast.nodeUrls.join(','), dataDir, cast.recordingsDir, join(dataDir, `final-${i}.flv`)),
    );
  }
  const files = filesUnder(cast.recordingsDir).filter((f) => f.endsWith('.flv'));
  const recordings = [];
  for (const file of files)
    recordings.push({ file: file.slice(cast.recordingsDir.length + 1), errors: await decodeErrors(file) });
  return { recordings };
}

let exitCode = 0;
const stopGaps = watchGaps();
try {
  for (const name of ['redis', 'node A', 'node B', 'camera']) await byName(name).start();
  await cast.supervisePublisher();
  for (const part of cast.parts.filter((p) => p.reader)) await part.start();
  say(`cast up in ${dataDir} after ${Math.round(elapsedS())} s`);
  t0 = performance.now();
  say(`warm-up ${warmupS} s, then a kill every ${killEveryS} s`);
  const sampler = setInterval(() => {
    loadMax = Math.max(loadMax, loadavg()[0]!);
    void sampleParts(cast.parts, samples);
    void supervise();
  }, 10_000);
  await sleep(warmupS * 1000);
  let bag: PartKind[] = [];
  for (let n = 0; elapsedS() + killEveryS <= minutes * 60; n++) {
    await sleep(Math.max(0, warmupS + (n + 1) * killEveryS - elapsedS()) * 1000);
    if (bag.length === 0)
      bag = (['redis', 'node', 'camera', 'viewer', 'peer'] as PartKind[]).sort(() => Math.random() - 0.5);
    await killAndRecover(bag.pop()!, n);
  }
  await sleep(Math.max(0, minutes * 60 - elapsedS()) * 1000);
  clearInterval(sampler);
  const { recordings } = await finalChecks();
  const checked = await Promise.all(downloads);
  writeReliability(join(REPO_ROOT, 'RELIABILITY.md'), {
    minutes: Math.round(elapsedS() / 6) / 10,
    killEveryS,
    loadAverage: Math.round(loadMax * 10) / 10,
    kills,
    trends: trends(samples, warmupS),
    downloads: checked,
    recordings,
    unplanned: [
      ...unplanned,
      ...(cast.publisherRestarts ? [`publisher restarted ${cast.publisherRestarts}× (its node went away)`] : []),
    ],
    liveGaps,
  });
  say('wrote RELIABILITY.md');
  if (kills.some((k) => k.error) || checked.some((d) => d.outcome === 'corrupt')) exitCode = 1;
} finally {
  stopGaps();
  cast.stopping = true;
  for (const part of cast.parts) part.reader?.stop();
  if (cast.publisher) await stopChild(cast.publisher.proc, 5_000);
  for (const part of [...cast.parts].reverse()) if (part.proc) await stopChild(part.proc, 5_000);
  rmSync(dataDir, { recursive: true, force: true });
}
process.exit(exitCode);
