/**
 * Relay-first start (issue 14), whole system: server, camera and viewer in separate processes. A cold
 * startP2PService gets its first bytes over the signalling connections (camera → node → viewer), sealed end
 * to end, and the stream moves to the P2P channel once it opens, as ONE FLV that decodes whole with no
 * gap; the node forwards only ciphertext; an app can turn it off; the node's byte cap ends a relay and
 * the stream still plays, spliced in over P2P.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FLV_TAG_VIDEO, isVideoKeyframe, parseFlv } from '@xp2p/protocol';
import { decodeErrors, parsePrometheusText, probePackets, trimToWholeTags } from '@xp2p/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, start, stopAll, VIEWER, viewerEvents, type RunningProcess } from './helpers/processes.js';
import { startSystem, type TestSystem } from './helpers/system.js';

const work = mkdtempSync(join(tmpdir(), 'xp2p-start-relay-'));
let sys: TestSystem;
let camera: RunningProcess;

beforeAll(async () => {
  sys = await startSystem();
  camera = await sys.startDevice(['--no-record']);
});
afterAll(async () => {
  await stopAll();
  sys?.cleanup();
  rmSync(work, { recursive: true, force: true });
});

async function watch(serverUrl: string, name: string, extra: Record<string, unknown> = {}) {
  const out = join(work, `${name}.flv`);
  const viewer = start([
    VIEWER,
    JSON.stringify({
      server: serverUrl,
      appParams: sys.appParams,
      productId: 'demo',
      deviceName: 'cam1',
      out,
      durationMs: 5_000,
      ...extra,
    }),
  ]);
  await viewer.waitForLine(/"done":true/, 30_000);
  const events = viewerEvents(viewer);
  expect(events.find((e) => 'result' in e)?.result).toBe(0);
  expect(events.some((e) => 'unhandledRejection' in e)).toBe(false);
  const handedOver = events.find((e) => e.sdkEvent === 'startRelayHandedOver') as
    { frames: number; bytes: number; spliced: boolean } | undefined;
  return { out, events, handedOver };
}

/** One FLV: a keyframe first, timestamps that never go back, no gap between pictures, decodes whole. */
async function expectOneFlv(out: string, seconds: number): Promise<Uint8Array> {
  const bytes = trimToWholeTags(out);
  const { tags } = parseFlv(bytes);
  const frames = tags.filter((t) => t.type === FLV_TAG_VIDEO && t.data[1] === 1);
  expect(frames[0] && isVideoKeyframe(frames[0])).toBe(true);
  let last = -1;
  for (const tag of tags) {
    expect(tag.timestamp).toBeGreaterThanOrEqual(last);
    last = tag.timestamp;
  }
  const steps = frames.slice(1).map((f, i) => f.timestamp - frames[i]!.timestamp);
  // a 30 fps source on a loaded machine: a step of a few frames happens (also with no relay at all); a
  // second splice, a lost GOP or a stall would show as far more
  expect(Math.max(...steps), 'largest step between two pictures').toBeLessThanOrEqual(200);
  expect(frames.length).toBeGreaterThanOrEqual(Math.floor(30 * seconds * 0.9));
  expect(await decodeErrors(out)).toBe('');
  const packets = await probePackets(out);
  expect(packets.filter((p) => p.codec_type === 'video').length).toBe(frames.length);
  return bytes;
}

const metrics = async (serverUrl: string) => parsePrometheusText(await (await fetch(`${serverUrl}/metrics`)).text());

describe('relay-first start', () => {
  let handedOverRun: Awaited<ReturnType<typeof watch>>;
  const capture = join(work, 'relayed.bin');

  it('starts over the relay, then moves to P2P by hand-over: one FLV that decodes whole, with no gap', async () => {
    handedOverRun = await watch(sys.serverUrl, 'handover', { relayCapture: capture });
    const { handedOver, out } = handedOverRun;
    // the camera's head and at least its GOP cache came over the relay, and the rest followed on P2P
    expect(handedOver).toMatchObject({ spliced: false });
    expect(handedOver!.frames).toBeGreaterThanOrEqual(2);
    expect(camera.lines.some((l) => /start relay \S+ handed over to P2P after \d+ frames/.test(l))).toBe(true);
    await expectOneFlv(out, 4.5);
    // the node counted exactly what it relayed, and no more than that one start
    const m = await metrics(sys.serverUrl);
    expect(m.get('xp2p_start_relay_bytes_total')).toBe(handedOver!.bytes);
    expect(m.get('xp2p_start_relays_total{end="opened"}')).toBe(1);
    expect(m.get('xp2p_start_relays_total{end="cap"}') ?? 0).toBe(0);
  });

  it('the node forwarded only ciphertext: no FLV header, no tag of the stream in what it relayed', () => {
    const relayed = readFileSync(capture);
    expect(relayed.byteLength).toBe(handedOverRun.handedOver!.bytes);
    expect(relayed.byteLength).toBeGreaterThan(1_000);
    const flv = Buffer.from(trimToWholeTags(handedOverRun.out));
    const { tags } = parseFlv(new Uint8Array(flv));
    expect(relayed.includes(Buffer.from('FLV\x01'))).toBe(false);
    // the stream's first tags (metadata, sequence headers, the keyframe) went over the relay: none shows
    for (const tag of tags.slice(0, 4)) {
      expect(relayed.includes(Buffer.from(tag.data.subarray(0, Math.min(32, tag.data.byteLength))))).toBe(false);
    }
  });

  it('turned off by the app (init startRelay: false): every byte waits for P2P, and the stream plays', async () => {
    const before = (await metrics(sys.serverUrl)).get('xp2p_start_relays_total{end="opened"}') ?? 0;
    const { handedOver, out, events } = await watch(sys.serverUrl, 'off', { startRelay: false });
    expect(handedOver).toBeUndefined();
    expect((events.find((e) => 'stats' in e)?.stats as { startRelay: unknown }).startRelay).toBeNull();
    expect((await metrics(sys.serverUrl)).get('xp2p_start_relays_total{end="opened"}') ?? 0).toBe(before);
    await expectOneFlv(out, 4.5);
  });

  it("at the server's byte cap the relay ends, and the stream goes on over P2P as one FLV", async () => {
    // the server again on the same data (its accounts live there), with a cap below one frame: the relay
    // ends at its first frame, before P2P opens
    await camera.kill();
    await sys.server.kill();
    const configFile = join(sys.dataDir, 'config.json');
    const config = JSON.parse(readFileSync(configFile, 'utf8')) as { server: Record<string, unknown> };
    config.server.startRelay = { maxBytes: 1 };
    writeFileSync(configFile, JSON.stringify(config));
    const server = start([CLI, 'server', '--data', sys.dataDir, '--port', '0', '--stun-port', '0']);
    const url = (await server.waitForLine(/^server: (https?:\/\/\S+)/))[1] ?? '';
    const device = start([CLI, 'device', '--server', url, '--data', sys.dataDir, '--no-record']);
    await device.waitForLine(/^device: .* online/);
    const { handedOver, out, events } = await watch(url, 'capped');
    expect(handedOver, JSON.stringify(events.filter((e) => e.log || e.sdkEvent))).toMatchObject({ spliced: true });
    expect(events.some((e) => /start relay over before the hand-over: .*at its cap/.test(String(e.log)))).toBe(true);
    const m = await metrics(url);
    expect(m.get('xp2p_start_relays_total{end="cap"}')).toBe(1);
    expect(m.get('xp2p_start_relay_bytes_total')).toBe(0);
    await expectOneFlv(out, 4.5);
  });
});
