#!/usr/bin/env node
// A viewer in its own process, for whole-system tests: runs the real sdk (built dist) against a server,
// writes what dataCallback receives to a file, and reports every event as one JSON line on stdout.
// Input: one JSON argument {server, appParams, productId, deviceName, out, durationMs, params?, xp2pInfo?}.
import { appendFileSync, writeFileSync } from 'node:fs';
import { cleanupNodeWebRTC, createNodeP2PModule, fetchXp2pInfo } from '@xp2p/sdk/node';

const o = JSON.parse(process.argv[2] ?? '{}');
const say = (obj) => process.stdout.write(`${JSON.stringify({ t: Math.round(performance.now()), ...obj })}\n`);
process.on('unhandledRejection', (err) => {
  say({ unhandledRejection: String(err) });
  process.exitCode = 3;
});

const p2p = createNodeP2PModule({ bindAddress: '127.0.0.1' });
say({ init: await p2p.init({ appParams: { ...o.appParams, serverUrl: o.server } }) });
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
const id = 'viewer';
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
    msgCallback: (event, subtype, detail) => {
      if (event === 'notify') say({ notify: subtype, detail });
      else say({ log: String(detail) });
    },
    dataCallback: (data) => {
      if (bytes === 0) say({ firstByteMs: Math.round(performance.now() - started) });
      bytes += data.byteLength;
      if (o.out) appendFileSync(o.out, new Uint8Array(data));
    },
  },
);
say({ result, lastError: p2p.lastError(id) ?? null });
const finish = () => {
  say({ done: true, bytes });
  p2p.destroy();
  cleanupNodeWebRTC();
  process.exit(0);
};
if (result !== 0) finish();
else if (o.durationMs) setTimeout(finish, o.durationMs);
process.on('SIGTERM', finish);
