#!/usr/bin/env node
// A viewer in its own process, for whole-system tests and the NAT lab: runs the real sdk (built dist)
// against a server, writes what dataCallback receives to a file, and reports every event as one JSON line
// on stdout, including the selected ICE candidate pair, natChanged/natError, the sdk's typed events
// ({sdkEvent: 'pathLost' | 'reconnected' | 'liveResumed' ...}) and the service's stats (reconnects after a
// broken path) at the end.
// Input: one JSON argument {server, appParams, productId, deviceName, out, durationMs, params?, xp2pInfo?,
//   bindAddress?, connectTimeoutMs?, extraIceServers?, iceTransportPolicy?, oneToManyWhenFull?, command?,
//   startRelay?, relayCapture?}.
//   oneToManyWhenFull: false turns 1v1 → 1vN off (a full camera then gives -2402);
//   command: {afterMs, cmd}: sendCommand(cmd) that long after the stream started, printed as {command: result};
//   startRelay: init's option (default: the sdk's, on); relayCapture: a file that gets the bytes of every
//   relay frame as the server forwarded them (binary messages), to check the node saw only ciphertext.
//   bindAddress: where ICE gathers candidates (default 127.0.0.1, for tests on loopback);
//   extraIceServers: ICE servers added to those the server hands out (the viewer's own TURN config);
//   iceTransportPolicy: 'relay' to use only relayed candidates.
import { appendFileSync, writeFileSync } from 'node:fs';
import { parseRelayFrame } from '@xp2p/protocol';
import { cleanupNodeWebRTC, createP2PModule, fetchXp2pInfo, nodePlatform } from '@xp2p/sdk/node';
import nodeDataChannel from 'node-datachannel';

const o = JSON.parse(process.argv[2] ?? '{}');
const say = (obj) => process.stdout.write(`${JSON.stringify({ t: Math.round(performance.now()), ...obj })}\n`);
// XP2P_ICE_LOG=1: libdatachannel's ICE/DTLS log lines as {rtc} lines (diagnosis of lab failures)
if (process.env.XP2P_ICE_LOG)
  nodeDataChannel.initLogger('Verbose', (level, message) => say({ rtc: `${level} ${message}` }));
process.on('unhandledRejection', (err) => {
  say({ unhandledRejection: String(err) });
  process.exitCode = 3;
});

const platform = nodePlatform({ bindAddress: o.bindAddress ?? '127.0.0.1' });
if (process.env.XP2P_ICE_LOG) {
  // the signalling messages of each attempt, in order (diagnosis of candidate loss)
  const WS = platform.WebSocket;
  platform.WebSocket = class extends WS {
    constructor(url) {
      super(url);
      this.addEventListener('message', (ev) => {
        const m = typeof ev.data === 'string' ? JSON.parse(ev.data) : { type: 'relay (binary)' };
        if (m.type !== 'pong')
          say({ sigIn: m.type, sessionId: m.sessionId, status: m.status, message: m.message, candidate: m.candidate });
      });
    }
    send(data) {
      const m = JSON.parse(String(data));
      if (m.type !== 'ping')
        say({
          sigOut: m.type,
          sessionId: m.sessionId,
          candidate: m.candidate,
          ...(m.sdp ? { srflxInOffer: m.sdp.includes('typ srflx') } : {}),
        });
      super.send(data);
    }
  };
}
if (o.relayCapture) {
  writeFileSync(o.relayCapture, new Uint8Array(0));
  const WS = platform.WebSocket;
  platform.WebSocket = class extends WS {
    constructor(url) {
      super(url);
      this.addEventListener('message', (ev) => {
        if (typeof ev.data === 'string') return;
        const frame = parseRelayFrame(new Uint8Array(ev.data));
        if (frame.ok) appendFileSync(o.relayCapture, frame.message.data);
      });
    }
  };
}
const Base = platform.RTCPeerConnection;
const connections = new Set();
platform.RTCPeerConnection = class extends Base {
  constructor(config) {
    super({
      ...config,
      // nodePlatform escapes TURN credentials for libdatachannel itself
      iceServers: [...(config.iceServers ?? []), ...(o.extraIceServers ?? [])],
      ...(o.iceTransportPolicy ? { iceTransportPolicy: o.iceTransportPolicy } : {}),
    });
    connections.add(this);
  }
  get localDescription() {
    const d = super.localDescription;
    // XP2P_TRICKLE_SRFLX=1: the srflx candidate reaches the camera only by trickle, as when gathering is slow
    if (!d || !process.env.XP2P_TRICKLE_SRFLX) return d;
    return { type: d.type, sdp: d.sdp.replace(/a=candidate:[^\r\n]* typ srflx[^\r\n]*\r?\n/g, '') };
  }
};
const p2p = createP2PModule(platform, o.connectTimeoutMs ? { connectTimeoutMs: o.connectTimeoutMs } : {});
// the sdk's typed events (path lost, reconnect ...) as {sdkEvent, ...detail} lines
const SDK_EVENTS = [
  'pathLost',
  'reconnecting',
  'reconnected',
  'disconnected',
  'liveResumed',
  'downloadResumed',
  'startRelayHandedOver',
  'switchedToOneToMany',
];
for (const name of SDK_EVENTS) {
  p2p.on(name, (detail) => say({ sdkEvent: name, ...detail }));
}
say({
  init: await p2p.init({
    appParams: { ...o.appParams, serverUrl: o.server },
    ...(o.startRelay !== undefined ? { startRelay: o.startRelay } : {}),
    eventHandler: (event, detail) => {
      if (event !== 'log') say({ event, detail });
    },
  }),
});
say({ uuid: p2p.getUUID() });
let xp2pInfo = o.xp2pInfo;
if (!xp2pInfo) {
  try {
    xp2pInfo = (await fetchXp2pInfo({ ...o.appParams, serverUrl: o.server }, o)).xp2pInfo;
  } catch (err) {
    say({ xp2pInfoError: String(err.message), status: err.status });
    process.exit(0);
  }
}
if (o.out) writeFileSync(o.out, new Uint8Array(0));
let bytes = 0;
/** the longest wait between two dataCallbacks (a stall) */
let maxGapMs = 0;
let lastDataAt = 0;
const id = 'viewer';
const started = performance.now();
const result = await p2p.startP2PService(
  id,
  {
    url: `http://XP2P_INFO.xnet/ipc.p2p.com/ipc.flv?${o.params ?? 'action=live&channel=0&quality=high'}`,
    productId: o.productId,
    deviceName: o.deviceName,
    xp2pInfo,
    ...(o.oneToManyWhenFull !== undefined ? { oneToManyWhenFull: o.oneToManyWhenFull } : {}),
  },
  {
    msgCallback: (event, subtype, detail) => {
      if (event === 'notify') say({ notify: subtype, detail });
      else say({ log: String(detail) });
    },
    dataCallback: (data) => {
      const now = performance.now();
      if (bytes === 0) say({ firstByteMs: Math.round(now - started) });
      else maxGapMs = Math.max(maxGapMs, now - lastDataAt);
      lastDataAt = now;
      bytes += data.byteLength;
      if (o.out) appendFileSync(o.out, new Uint8Array(data));
    },
  },
);
const connectMs = Math.round(performance.now() - started);
let selected = null;
for (const pc of connections) {
  if (pc.connectionState !== 'connected') continue;
  try {
    const pair = pc.selectedCandidatePair();
    if (pair) selected = { local: pair.local, remote: pair.remote };
  } catch {
    /* closed meanwhile */
  }
}
say({ result, connectMs, lastError: p2p.lastError(id) ?? null, selected });
let finishing = false;
const finish = async () => {
  if (finishing) return;
  finishing = true;
  const stats = await p2p.getServiceStats(id);
  if (stats) {
    const { recoveries, path, bytes: statBytes, startRelay } = stats;
    say({ stats: { recoveries, path: path ?? null, bytes: statBytes, startRelay: startRelay ?? null } });
  }
  say({ done: true, bytes, maxGapMs: Math.round(maxGapMs) });
  p2p.destroy();
  cleanupNodeWebRTC();
  process.exit(0);
};
if (result === 0 && o.command) {
  setTimeout(() => {
    void p2p.sendCommand(id, o.command.cmd).then((answer) => say({ command: answer }));
  }, o.command.afterMs);
}
if (result !== 0) void finish();
else if (o.durationMs) setTimeout(() => void finish(), o.durationMs);
process.on('SIGTERM', () => void finish());
