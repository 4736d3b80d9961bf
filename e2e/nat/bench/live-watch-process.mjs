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
//                 half-second buffer runs dry), and timestamp jumps longer than stallMs (frames the camera
//                 skipped because the path could not carry them)
//   lagGrowthMs   how much later than its media time the last frame came, compared with the earliest one
//                 after a warm-up of WARM_UP_MS (the start's GOP-cache burst comes ahead of real time); a
//                 path slower than the source makes this grow for as long as it watches
//   kbps          bytes received over the watch, as kbit/s
//   lateness      how late (ms) the frames came, against the first one, each TIMELINE_MS: where the lag grew
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
let lastLateness = 0;
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
  lastLateness = now - first.now - (timestamp - first.timestamp);
  if (now - first.now >= lateness.length * TIMELINE_MS) lateness.push(Math.round(lastLateness));
  if (now - first.now > WARM_UP_MS) minLateness = Math.min(minLateness, lastLateness);
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
      lagGrowthMs: Number.isFinite(minLateness) ? Math.round(lastLateness - minLateness) : undefined,
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
