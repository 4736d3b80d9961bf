#!/usr/bin/env node
// A 1vN viewer in its own process, for whole-system tests: joins a live stream's swarm through the real
// sdk (built dist), writes what dataCallback receives to a file and reports events and stats as JSON lines.
// Input: one JSON argument {streamUrl, appParams, out, upload?, statsEveryMs?, corrupt?, serverUrl?, urls?, api?,
// tryOneToOneCalls?, bindAddress?} (tryOneToOneCalls: once joined, call the guide's 1v1-only APIs on the 1vN id
// and report the codes; bindAddress: where ICE gathers, default 127.0.0.1; a NAT lab host's address there).
// `serverUrl` (default: the stream URL's origin) is appParams.serverUrl: a cluster's node list for failover.
// `corrupt: true` makes this peer a liar: every chunk piece it uploads has a byte flipped (fault injection
// at the data channel, below the sdk), so tests can check that honest peers catch and drop it.
// `api`: 'guide' (default) runs the guide's API (startP2PService 'swarm', msgCallback, getSwarmStats);
// 'events' runs the sdk's 1vN viewer (startSwarmViewer) and prints each typed event as {event: {type, ...}},
// so tests wait on events (start-fetch, bad-peer, node-moved, ...) instead of matching log text; its stats
// lines carry `mediaMs`, the media time output so far (first chunk's start to the last chunk's end).
import { appendFileSync, writeFileSync } from 'node:fs';
import { cleanupNodeWebRTC, createP2PModule, nodePlatform, startSwarmViewer, streamNodesOf } from '@xp2p/sdk/node';

const o = JSON.parse(process.argv[2] ?? '{}');
// SIGTERM is handled from the start and does what the current phase says: a handler installed only once the
// peer runs lost the race against a test that kills it right after its first lines (it died of SIGTERM
// without its close notify, about one run in three, with the peer's last line printed before the kill)
let onSigterm = () => process.exit(0);
process.on('SIGTERM', () => onSigterm());
const say = (obj) => process.stdout.write(`${JSON.stringify({ t: Math.round(performance.now()), ...obj })}\n`);
process.on('unhandledRejection', (err) => say({ unhandledRejection: String(err) }));

const platform = nodePlatform({ bindAddress: o.bindAddress ?? '127.0.0.1' });
if (o.corrupt) {
  const corruptSends = (channel) => {
    const send = channel.send.bind(channel);
    channel.send = (data) => {
      if (typeof data !== 'string' && data.byteLength > 16) {
        const copy = new Uint8Array(data.byteLength);
        copy.set(new Uint8Array(data.buffer ?? data, data.byteOffset ?? 0, data.byteLength));
        if (copy[0] === 1) copy[copy.length - 1] ^= 0xff; // a piece frame (kind 1): flip its last payload byte
        return send(copy);
      }
      return send(data);
    };
    return channel;
  };
  const Base = platform.RTCPeerConnection;
  platform.RTCPeerConnection = class extends Base {
    constructor(config) {
      super(config);
      this.addEventListener('datachannel', (ev) => corruptSends(ev.channel));
    }
    createDataChannel(...args) {
      return corruptSends(super.createDataChannel(...args));
    }
  };
}
if (o.out) writeFileSync(o.out, new Uint8Array(0));
if (o.api === 'events') await runViewer();
else await runGuide();

/** The guide's API: startP2PService('swarm', ...), events as the guide's notify/log callbacks. */
async function runGuide() {
  const p2p = createP2PModule(platform);
  await p2p.init({ appParams: { ...o.appParams, serverUrl: o.serverUrl ?? new URL(o.streamUrl).origin } });
  const out = output();
  const result = await p2p.startP2PService(
    'swarm',
    { url: o.streamUrl, upload: o.upload !== false, ...(o.urls ? { urls: o.urls } : {}) },
    {
      msgCallback: (event, subtype, detail) =>
        event === 'notify' ? say({ notify: subtype, detail }) : say({ log: String(detail) }),
      dataCallback: (data) => out.data(new Uint8Array(data)),
    },
  );
  say({ result, lastError: p2p.lastError('swarm') ?? null });
  if (result === 0 && o.tryOneToOneCalls) {
    // the 1v1-only calls of the guide on this 1vN id: each should answer -2004 with a reason in lastError
    const answers = {
      sendCommand: (await p2p.sendCommand('swarm', 'action=inner_define&channel=0&cmd=get_device_st')).errcode,
      startVoiceService: await p2p.startVoiceService('swarm', {}, { format: 'PCM' }),
      startLocalDownload: await p2p.startLocalDownload(
        'swarm',
        { urlParams: 'channel=0&file_name=a.mp4' },
        { onReceiveChunk() {}, onComplete() {} },
      ),
      startP2PStream: await p2p.startP2PStream('swarm', { dataCallback() {} }),
    };
    say({ oneToOneCalls: answers, lastError: p2p.lastError('swarm') ?? null });
  }
  reportUntilEnd(result === 0, () => p2p.getSwarmStats('swarm') ?? null, out, {
    // the guide's close notify, before the process goes
    beforeDone: () => p2p.stopP2PService('swarm'),
    stop: () => p2p.destroy(),
  });
}

/** The sdk's 1vN viewer with its typed events. */
async function runViewer() {
  const out = output();
  let viewer;
  try {
    viewer = await startSwarmViewer({
      platform,
      app: { appKey: o.appParams.appKey, appSecretKey: o.appParams.appSecretKey },
      streamUrl: o.streamUrl,
      nodes: streamNodesOf(o.streamUrl, { urls: o.urls, serverUrl: o.serverUrl ?? new URL(o.streamUrl).origin }).bases,
      upload: o.upload !== false,
      onData: (bytes, info) => out.data(bytes, info.meta),
      onEnd: (why) => say({ event: { type: 'viewer-end', why } }),
      // the chatty ones (every chunk verified or fetched) stay out of the output
      onEvent: (event) => event.type !== 'verified' && event.type !== 'origin-fetch' && say({ event }),
    });
    say({ result: 0, peerId: viewer.peerId });
  } catch (err) {
    say({ result: -1, lastError: String(err) });
  }
  reportUntilEnd(viewer !== undefined, () => viewer?.stats() ?? null, out, { stop: () => viewer?.stop() });
}

/** Writes what comes to the output file; counts bytes, the longest gap, and the media time when known. */
function output() {
  const started = performance.now();
  const out = { bytes: 0, maxDataGapMs: 0, mediaMs: 0, lastDataAt: undefined, firstTimestamp: undefined };
  out.data = (bytes, meta) => {
    if (out.bytes === 0) say({ firstByteMs: Math.round(performance.now() - started) });
    out.bytes += bytes.byteLength;
    const now = performance.now();
    if (out.lastDataAt !== undefined) out.maxDataGapMs = Math.max(out.maxDataGapMs, Math.round(now - out.lastDataAt));
    out.lastDataAt = now;
    if (meta) {
      out.firstTimestamp ??= meta.timestamp;
      out.mediaMs = meta.timestamp + meta.duration - out.firstTimestamp;
    }
    if (o.out) appendFileSync(o.out, bytes);
  };
  return out;
}

function reportUntilEnd(running, stats, out, { beforeDone = () => {}, stop }) {
  const report = () => say({ stats: stats(), bytes: out.bytes, maxDataGapMs: out.maxDataGapMs, mediaMs: out.mediaMs });
  const timer = setInterval(report, o.statsEveryMs ?? 1000);
  const finish = () => {
    clearInterval(timer);
    report();
    beforeDone();
    say({ done: true, bytes: out.bytes });
    stop();
    cleanupNodeWebRTC();
    process.exit(0);
  };
  if (!running) finish();
  onSigterm = finish;
}
