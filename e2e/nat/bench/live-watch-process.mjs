#!/usr/bin/env node
// The lab bench's live row: one viewer watches a live stream over P2P for a while (the real sdk, built dist)
// and reports how smoothly its video frames arrived, as a player would see them.
// Input: one JSON argument {server, appParams, productId, deviceName, params, durationMs, bindAddress, stallMs,
//   startRelay?} (startRelay: init's option, default the sdk's: on).
// Prints {"live": {...}} at the end:
//   frames        video frames received (sequence headers excluded)
//   maxGapMs      the longest wait between two video frames, counted from the first frame; maxGapAtMs: when
//                 it ended, after the first frame (handoverAtMs: when a relay-first start moved to P2P)
//   stalls        waits between two video frames longer than stallMs (default 500 ms: a player with a
//                 half-second buffer runs dry), and timestamp jumps longer than stallMs (the camera's live hub
//                 continues its timeline after frames it skipped, so those show in lateSpreadMs instead)
//   lateSpreadMs  how far apart the latest and the least late frame came, against their media time, after a
//                 warm-up of WARM_UP_MS (the start's GOP-cache burst comes ahead of real time): a player that
//                 buffers this much never runs dry; a path slower than the source makes it grow without end
//   kbps          bytes received over the watch, as kbit/s
//   lateness      how late (ms) the frames came, against the first one, each TIMELINE_MS: when it changed
//   path          the service's ICE path at the end ('host', 'srflx', 'relay'); recoveries: reconnects
// A failed start prints {"error": "..."}.
import { cleanupNodeWebRTC, createNodeP2PModule, fetchXp2pInfo } from '@xp2p/sdk/node';
import { FLV_TAG_VIDEO, FlvDemuxer, isAvcSequenceHeader } from '@xp2p/protocol';

const o = JSON.parse(process.argv[2] ?? '{}');
const stallMs = o.stallMs ?? 500;
const WARM_UP_MS = 5_000;
const TIMELINE_MS = 2_000;
const lateness = [];
const say = (obj) => process.stdout.write(`${JSON.stringify(obj)}\n`);

const appParams = { ...o.appParams, serverUrl: o.server };
const p2p = createNodeP2PModule({ bindAddress: o.bindAddress });
await p2p.init({ appParams, ...(o.startRelay !== undefined ? { startRelay: o.startRelay } : {}) });
const { xp2pInfo } = await fetchXp2pInfo(appParams, o);

const demuxer = new FlvDemuxer();
let bytes = 0;
let frames = 0;
let maxGapMs = 0;
let maxGapAtMs = 0;
let handoverAtMs;
let stalls = 0;
let lastArrival;
let lastTimestamp;
let minLateness = Infinity;
let maxLateness = -Infinity;
let first;
const onFrame = (timestamp, now) => {
  frames++;
  if (first === undefined) first = { now, timestamp };
  if (lastArrival !== undefined) {
    const gap = now - lastArrival;
    if (gap > maxGapMs) [maxGapMs, maxGapAtMs] = [gap, now - first.now];
    if (gap > stallMs || timestamp - lastTimestamp > stallMs) stalls++;
  }
  lastArrival = now;
  lastTimestamp = timestamp;
  const late = now - first.now - (timestamp - first.timestamp);
  if (now - first.now >= lateness.length * TIMELINE_MS) lateness.push(Math.round(late));
  if (now - first.now <= WARM_UP_MS) return;
  minLateness = Math.min(minLateness, late);
  maxLateness = Math.max(maxLateness, late);
};

p2p.on('startRelayHandedOver', () => {
  if (first !== undefined) handoverAtMs = Math.round(performance.now() - first.now);
});
const id = 'live';
const started = performance.now();
const result = await p2p.startP2PService(
  id,
  {
    url: `http://XP2P_INFO.xnet/ipc.p2p.com/ipc.flv?${o.params ?? 'action=live&channel=0&quality=high'}`,
    productId: o.productId,
    deviceName: o.deviceName,
    xp2pInfo,
  },
  {
    msgCallback: () => {},
    dataCallback: (data) => {
      const now = performance.now();
      bytes += data.byteLength;
      for (const tag of demuxer.push(new Uint8Array(data))) {
        if (tag.type === FLV_TAG_VIDEO && !isAvcSequenceHeader(tag)) onFrame(tag.timestamp, now);
      }
    },
  },
);
if (result !== 0) {
  say({ error: `startP2PService ${result}: ${p2p.lastError(id)}` });
} else {
  await new Promise((r) => setTimeout(r, o.durationMs ?? 30_000));
  const stats = await p2p.getServiceStats(id);
  const seconds = (performance.now() - started) / 1000;
  say({
    live: {
      frames,
      maxGapMs: Math.round(maxGapMs),
      maxGapAtMs: Math.round(maxGapAtMs),
      handoverAtMs,
      stalls,
      lateSpreadMs: Number.isFinite(minLateness) ? Math.round(maxLateness - minLateness) : undefined,
      lateness,
      kbps: Math.round((bytes * 8) / 1000 / seconds),
      path: stats?.path ?? null,
      recoveries: stats?.recoveries.length,
    },
  });
}
p2p.destroy();
cleanupNodeWebRTC();
process.exit(0);
