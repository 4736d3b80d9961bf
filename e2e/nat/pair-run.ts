/**
 * One viewer × camera pair in the NAT lab (nat-pairs.test.ts, server-behind-nat.test.ts): a viewer process
 * (viewer-process.mjs) in the viewer's namespace watches the camera's live stream; what it reports, and
 * whether the saved FLV decodes.
 */
import { join } from 'node:path';
import { expect } from 'vitest';
import { decodeErrors, probePackets, trimToWholeTags } from '@xp2p/testing';
import { NAT_NAMES, type LabHost, type NatLab, type NatType } from './lab.js';
import { startLabViewer, type LabSystem } from './lab-system.js';

/** Connect bound for the viewers: the sdk default (10 s); shorter bounds flaked under 13 concurrent pairs on 2 CPUs. */
export const CONNECT_TIMEOUT_MS = 10_000;
export const WATCH_MS = 4_000;
export const UNPUNCHABLE = new Set(['pr>sym', 'sym>pr', 'sym>sym']);
/** Pairs run at once: all 13 at once on a 2-CPU machine flaked (a punchable pair timing out now and then). */
export const CONCURRENCY = Number(process.env.XP2P_NAT_CONCURRENCY ?? 5);

export async function limited<T, R>(items: T[], fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, items.length) }, worker));
  return out;
}

export interface PairResult {
  key: string;
  viewer: NatType;
  camera: NatType;
  result: number;
  connectMs: number;
  firstByteMs?: number;
  lastError: string | null;
  local?: string;
  remote?: string;
  out: string;
  bytes: number;
  unhandled: string | false;
}

const candidateTypeOf = (c: unknown): string | undefined => (c as { type?: string } | undefined)?.type;

export async function runPair(
  lab: NatLab,
  sys: LabSystem,
  work: string,
  viewer: LabHost,
  camera: LabHost,
  tag: string,
  extra: Record<string, unknown> = {},
  env: Record<string, string> = {},
): Promise<PairResult> {
  const key = `${viewer.type}>${camera.type}`;
  const out = join(work, `${tag}-${viewer.type}-${camera.type}.flv`);
  const watch = { out, durationMs: WATCH_MS, connectTimeoutMs: CONNECT_TIMEOUT_MS, ...extra };
  const p = startLabViewer(lab, sys, viewer, camera, watch, env);
  const connectBound = typeof extra.connectTimeoutMs === 'number' ? extra.connectTimeoutMs : CONNECT_TIMEOUT_MS;
  await p.waitForLine(/"done":true/, connectBound + WATCH_MS + 30_000);
  await p.exited;
  const events = p.lines.flatMap((l) => {
    try {
      return [JSON.parse(l) as Record<string, unknown>];
    } catch {
      return [];
    }
  });
  const res = events.find((e) => 'result' in e) ?? {};
  const selected = res.selected as { local?: unknown; remote?: unknown } | null | undefined;
  const firstByte = events.find((e) => 'firstByteMs' in e)?.firstByteMs;
  return {
    key,
    viewer: viewer.type,
    camera: camera.type,
    result: res.result as number,
    connectMs: res.connectMs as number,
    ...(typeof firstByte === 'number' ? { firstByteMs: firstByte } : {}),
    lastError: (res.lastError as string | null) ?? null,
    local: candidateTypeOf(selected?.local),
    remote: candidateTypeOf(selected?.remote),
    out,
    bytes: (events.find((e) => e.done)?.bytes as number) ?? 0,
    unhandled: (events.find((e) => 'unhandledRejection' in e)?.unhandledRejection as string | undefined) ?? false,
  };
}

export async function expectDecodes(r: PairResult): Promise<void> {
  trimToWholeTags(r.out);
  expect(await decodeErrors(r.out), `${r.key}: ffmpeg decode errors`).toBe('');
  const video = (await probePackets(r.out)).filter((p) => p.codec_type === 'video');
  // 30 fps source watched for WATCH_MS; at least a second's worth must arrive even on a busy CI machine
  expect(video.length, `${r.key}: video frames`).toBeGreaterThanOrEqual(30);
}

export const describeResult = (r: PairResult) =>
  `${NAT_NAMES[r.viewer]} viewer → ${NAT_NAMES[r.camera]} camera: ` +
  (r.result === 0
    ? `connected in ${r.connectMs} ms via ${r.local}/${r.remote}, first byte ${r.firstByteMs} ms, ${r.bytes} bytes`
    : `failed ${r.result} after ${r.connectMs} ms: ${r.lastError}`);

/** Every viewer × camera pair of the two host lists, keyed "viewerType>cameraType". */
export const pairsOf = (viewers: LabHost[], cameras: LabHost[]) =>
  viewers.flatMap((v) => cameras.map((c) => ({ v, c, key: `${v.type}>${c.type}` })));
