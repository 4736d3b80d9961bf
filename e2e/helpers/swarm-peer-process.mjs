#!/usr/bin/env node
// A 1vN viewer in its own process, for whole-system tests: joins a live stream's swarm through the real
// sdk (built dist), writes what dataCallback receives to a file and reports events and stats as JSON lines.
// Input: one JSON argument {streamUrl, appParams, out, upload?, statsEveryMs?, corrupt?, serverUrl?, urls?,
// tryOneToOneCalls?} (the last: once joined, call the guide's 1v1-only APIs on the 1vN id and report the codes).
// `serverUrl` (default: the stream URL's origin) is appParams.serverUrl: a cluster's node list for failover.
// `corrupt: true` makes this peer a liar: every chunk piece it uploads has a byte flipped (fault injection
// at the data channel, below the sdk), so tests can check that honest peers catch and drop it.
import { appendFileSync, writeFileSync } from 'node:fs';
import { cleanupNodeWebRTC, createP2PModule, nodePlatform } from '@xp2p/sdk/node';

const o = JSON.parse(process.argv[2] ?? '{}');
const say = (obj) => process.stdout.write(`${JSON.stringify({ t: Math.round(performance.now()), ...obj })}\n`);
process.on('unhandledRejection', (err) => say({ unhandledRejection: String(err) }));

const platform = nodePlatform({ bindAddress: '127.0.0.1' });
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
const p2p = createP2PModule(platform);
await p2p.init({ appParams: { ...o.appParams, serverUrl: o.serverUrl ?? new URL(o.streamUrl).origin } });
if (o.out) writeFileSync(o.out, new Uint8Array(0));
let bytes = 0;
const started = performance.now();
/** the longest wait between two dataCallback calls once data flows (what a player would see as a freeze) */
let lastDataAt;
let maxDataGapMs = 0;
const result = await p2p.startP2PService(
  'swarm',
  { url: o.streamUrl, upload: o.upload !== false, ...(o.urls ? { urls: o.urls } : {}) },
  {
    msgCallback: (event, subtype, detail) =>
      event === 'notify' ? say({ notify: subtype, detail }) : say({ log: String(detail) }),
    dataCallback: (data) => {
      if (bytes === 0) say({ firstByteMs: Math.round(performance.now() - started) });
      bytes += data.byteLength;
      const now = performance.now();
      if (lastDataAt !== undefined) maxDataGapMs = Math.max(maxDataGapMs, Math.round(now - lastDataAt));
      lastDataAt = now;
      if (o.out) appendFileSync(o.out, new Uint8Array(data));
    },
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
const report = () => say({ stats: p2p.getSwarmStats('swarm') ?? null, bytes, maxDataGapMs });
const timer = setInterval(report, o.statsEveryMs ?? 1000);
const finish = () => {
  clearInterval(timer);
  report();
  p2p.stopP2PService('swarm'); // the guide's close notify, before the process goes
  say({ done: true, bytes });
  p2p.destroy();
  cleanupNodeWebRTC();
  process.exit(0);
};
if (result !== 0) finish();
process.on('SIGTERM', finish);
