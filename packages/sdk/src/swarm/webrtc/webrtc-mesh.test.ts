import { RTCPeerConnection } from 'node-datachannel/polyfill';
import { afterAll, describe, expect, it } from 'vitest';
import type { ChunkMeta, InitMeta, OriginEvent } from '@xp2p/protocol';
import { waitUntil } from '@xp2p/testing';
import type { Platform } from '../../platform.js';
import { webCryptoSha256Hex } from '../engine/hash.js';
import { SwarmPeer } from '../engine/swarm-peer.js';
import type { OriginClient } from '../engine/types.js';
import { parseStreamUrl, realClock } from './start-swarm-viewer.js';
import { WebRtcMesh } from './webrtc-mesh.js';

const platform: Platform = {
  RTCPeerConnection: RTCPeerConnection as unknown as Platform['RTCPeerConnection'],
  WebSocket: undefined as unknown as Platform['WebSocket'],
  fetch: globalThis.fetch,
  rtcConfigExtras: { bindAddress: '127.0.0.1' },
};

afterAll(async () => {
  (await import('node-datachannel')).default.cleanup();
});

function bytes(n: number, seed: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + seed * 7) & 0xff;
  return b;
}

describe('swarm over real WebRTC data channels', () => {
  it('parses stream URLs', () => {
    expect(parseStreamUrl('http://127.0.0.1:18080/live/cam-1.flv')).toEqual({
      base: 'http://127.0.0.1:18080',
      stream: 'cam-1',
    });
    expect(() => parseStreamUrl('http://h/x/cam.flv')).toThrow();
  });

  it('two engines share a stream through node-datachannel, every byte verified', async () => {
    const epoch = 'test-epoch-1';
    const initBytes = bytes(300, 1);
    const init: InitMeta = { initId: 0, size: initBytes.byteLength, hash: await webCryptoSha256Hex(initBytes) };
    const chunks = new Map<number, { meta: ChunkMeta; data: Uint8Array }>();
    const originBytes: Record<string, number> = {};
    const originFor = (id: string): OriginClient => ({
      fetchInit: async () => initBytes,
      fetchChunk: async (meta) => {
        await new Promise((r) => setTimeout(r, 20));
        originBytes[id] = (originBytes[id] ?? 0) + meta.size;
        return chunks.get(meta.seq)!.data;
      },
    });
    const ids = ['peer-aaaaaaaa', 'peer-bbbbbbbb'] as const;
    const meshes = new Map<string, WebRtcMesh>();
    const meshLog: string[] = [];
    const outputs = new Map<string, Uint8Array[]>();
    const ended = new Map<string, boolean>();
    const engines = new Map<string, SwarmPeer>();
    for (const id of ids) {
      const mesh = new WebRtcMesh(
        platform,
        {
          send: (to, signal) => {
            setTimeout(() => meshes.get(to)?.handleSignal(id, signal), 1);
            return true;
          },
        },
        {},
        (line) => meshLog.push(`${id}: ${line}`),
      );
      mesh.configure(id, []);
      meshes.set(id, mesh);
      outputs.set(id, []);
      engines.set(
        id,
        new SwarmPeer({
          clock: realClock,
          origin: originFor(id),
          mesh,
          upload: true,
          options: { startLeadMs: 0, minStartLagMs: 1200, urgentMs: 250, tickMs: 50 },
          output: {
            onData: (b) => outputs.get(id)!.push(b),
            onEnd: () => ended.set(id, true),
          },
        }),
      );
    }
    const broadcast = (ev: OriginEvent) => {
      for (const e of engines.values()) e.originEvent(ev);
    };
    let seq = 0;
    // media time follows the wall clock, as a live origin's does: a link that takes seconds (a lost DTLS
    // flight, a retried offer) is a pause in the stream, not every later chunk overdue (they would all be
    // fetched from the origin at once, and the mesh would carry nothing)
    const streamStart = performance.now();
    const produce = async () => {
      // every other chunk is a keyframe; the third one spans several pieces
      const data = bytes(seq % 3 === 2 ? 150_000 : 20_000, seq + 2);
      const meta: ChunkMeta = {
        seq,
        size: data.byteLength,
        hash: await webCryptoSha256Hex(data),
        keyframe: seq % 2 === 0,
        timestamp: Math.round(performance.now() - streamStart),
        duration: 400,
        initId: 0,
      };
      chunks.set(seq, { meta, data });
      broadcast({ type: 'chunk', epoch, chunk: meta });
      seq++;
    };
    await produce();
    engines.get(ids[0])!.join({ peerId: ids[0], epoch, init, neighbours: [], recentChunks: [chunks.get(0)!.meta] });
    engines
      .get(ids[1])!
      .join({ peerId: ids[1], epoch, init, neighbours: [ids[0]], recentChunks: [chunks.get(0)!.meta] });
    // The stream starts once the two have greeted each other over their data channel: on a loaded machine the
    // WebRTC connect (a DTLS retransmit costs 1 s) could otherwise outlast the 6 s stream, and each engine would
    // rightly take every chunk from the origin, leaving nothing for the mesh to carry.
    await waitUntil(() => [...engines.values()].every((e) => e.stats().peers === 1), {
      timeoutMs: 20_000,
      what: () => `the two engines to link over WebRTC; the meshes said:\n${meshLog.join('\n')}`,
    });
    for (let i = 0; i < 14; i++) {
      await new Promise((r) => setTimeout(r, 400));
      await produce();
    }
    broadcast({ type: 'eof', epoch, lastSeq: seq - 1 });
    await waitUntil(() => ended.get(ids[0]) && ended.get(ids[1]), { what: 'both peers to end after eof' });

    for (const id of ids) {
      expect(ended.get(id)).toBe(true);
      const out = outputs.get(id)!;
      expect(out[0]).toEqual(initBytes);
      for (let i = 1; i < out.length; i++) expect(out[i]).toEqual(chunks.get(i - 1)!.data);
      expect(out.length).toBe(seq + 1);
    }
    const stats = ids.map((id) => engines.get(id)!.stats());
    for (const e of engines.values()) e.stop();
    for (const m of meshes.values()) m.close();
    // the mesh carried chunks: what one uploaded, the other received
    const explain = () =>
      `stats ${JSON.stringify(stats)}, origin ${JSON.stringify(originBytes)}; the meshes said:\n${meshLog.join('\n')}`;
    expect(stats[0]!.p2pBytes + stats[1]!.p2pBytes, explain()).toBeGreaterThan(0);
    expect(stats[0]!.uploadBytes).toBe(stats[1]!.p2pBytes);
    expect(stats[1]!.uploadBytes).toBe(stats[0]!.p2pBytes);
    expect(stats.every((s) => s.peers === 1 || s.peers === 0)).toBe(true);
  }, 30_000);
});
