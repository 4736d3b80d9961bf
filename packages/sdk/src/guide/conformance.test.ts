/**
 * The guide's return tables, row by row: each API × each code it lists × how an app provokes it, run on
 * the 1v1 simulator (one-to-one/sim: the real facade, services and sessions on a virtual network and
 * camera). Every non-zero answer must also leave a reason in lastError(id). Codes that need real processes
 * (-2202 a failing NAT probe, -2301 the player bridge's port, a real 1vN swarm) are covered in e2e/ and in
 * packages/player; -2404 has its own row here through the browser build's platform check.
 */
import { decodeXp2pInfo, encodeXp2pInfo, ErrorCode } from '@xp2p/protocol';
import { describe, expect, it } from 'vitest';
import { browserP2PGap } from '../browser.js';
import type { CommandResult } from '../one-to-one/requests/command.js';
import type { RecorderManager } from '../one-to-one/requests/recorder.js';
import { SimRecorder } from '../one-to-one/sim/sim-recorder.js';
import { createSimWorld, SIM_APP, type SimWorld } from '../one-to-one/sim/sim-world.test-support.js';
import { createModuleOn } from './module.js';
import { SDK_DEFAULTS } from '../defaults.js';

const ID = 'cam';
const LIVE_1VN = 'http://127.0.0.1:9/live/demo.flv';
const noop = () => {};
const msg = { msgCallback: noop };
const COMMAND = 'action=inner_define&channel=0&cmd=get_device_st';

interface Row {
  api: string;
  code: number;
  how: string;
  /** false: the world is not initialised first */
  init?: boolean;
  /** a started 1v1 service `cam` (with its stream when 'stream') before the call */
  service?: 'plain' | 'stream' | '1vN';
  call: (w: SimWorld) => Promise<number | CommandResult> | number;
}

const voiceOptions = { format: 'PCM' };
const download = (file: string) => (w: SimWorld) =>
  w.p2p.startLocalDownload(
    ID,
    { urlParams: `channel=0&file_name=${file}` },
    { onReceiveChunk: noop, onComplete: noop },
  );

/** A microphone the system refuses (permission denied): its start throws, as a browser's does. */
function refusedRecorder(w: SimWorld): RecorderManager {
  const recorder = new SimRecorder(w.clock);
  recorder.start = () => {
    throw new Error('NotAllowedError: permission denied');
  };
  return recorder;
}

const ROWS: Row[] = [
  // resetP2P
  { api: 'resetP2P', code: -2002, how: 'before init', init: false, call: (w) => w.p2p.resetP2P() },
  // startP2PService
  {
    api: 'startP2PService',
    code: -2002,
    how: 'before init',
    init: false,
    call: (w) => w.p2p.startP2PService(ID, w.streamInfo(), msg),
  },
  {
    api: 'startP2PService',
    code: -2000,
    how: 'no msgCallback',
    call: (w) => w.p2p.startP2PService(ID, w.streamInfo(), {}),
  },
  {
    api: 'startP2PService',
    code: -2000,
    how: 'a url that is neither 1v1 nor 1vN',
    call: (w) => w.p2p.startP2PService(ID, { url: 'ftp://nowhere' }, msg),
  },
  {
    api: 'startP2PService',
    code: -2001,
    how: 'an xp2pInfo that does not parse',
    call: (w) => w.p2p.startP2PService(ID, { ...w.streamInfo(), xp2pInfo: 'not-an-xp2pinfo' }, msg),
  },
  {
    api: 'startP2PService',
    code: -2005,
    how: 'a camera whose p2p version is below 2.3.0',
    call: (w) => {
      const old = encodeXp2pInfo({ ...decodeXp2pInfo(w.xp2pInfo), deviceVersion: '2.2.0' });
      return w.p2p.startP2PService(ID, { ...w.streamInfo(), xp2pInfo: old }, msg);
    },
  },
  {
    api: 'startP2PService',
    code: -2401,
    how: 'the same id twice',
    service: 'plain',
    call: (w) => w.p2p.startP2PService(ID, w.streamInfo(), msg),
  },
  {
    api: 'startP2PService',
    code: -2402,
    how: 'the camera is offline',
    call: (w) => {
      w.camera.online = false;
      return w.p2p.startP2PService(ID, w.streamInfo(), msg);
    },
  },
  {
    api: 'startP2PService',
    code: -2402,
    how: 'auto-start (dataCallback) of a request the camera refuses',
    call: (w) => w.p2p.startP2PService(ID, w.streamInfo('action=nonsense'), { ...msg, dataCallback: noop }),
  },
  // updateServiceCallbacks
  {
    api: 'updateServiceCallbacks',
    code: -2000,
    how: 'a msgCallback that is not a function',
    service: 'plain',
    call: (w) => w.p2p.updateServiceCallbacks(ID, { msgCallback: 'no' as never }),
  },
  {
    api: 'updateServiceCallbacks',
    code: -2403,
    how: 'no such service',
    call: (w) => w.p2p.updateServiceCallbacks(ID, msg),
  },
  // startP2PStream
  {
    api: 'startP2PStream',
    code: -2002,
    how: 'before init',
    init: false,
    call: (w) => w.p2p.startP2PStream(ID, { dataCallback: noop }),
  },
  {
    api: 'startP2PStream',
    code: -2000,
    how: 'no dataCallback',
    service: 'plain',
    call: (w) => w.p2p.startP2PStream(ID, {} as never),
  },
  {
    api: 'startP2PStream',
    code: -2401,
    how: 'a stream already running',
    service: 'stream',
    call: (w) => w.p2p.startP2PStream(ID, { dataCallback: noop }),
  },
  {
    api: 'startP2PStream',
    code: -2402,
    how: 'a request the camera refuses',
    service: 'plain',
    call: (w) => w.p2p.startP2PStream(ID, { dataCallback: noop, flv: { filename: 'ipc.flv', params: 'action=x' } }),
  },
  {
    api: 'startP2PStream',
    code: -2403,
    how: 'no such service',
    call: (w) => w.p2p.startP2PStream(ID, { dataCallback: noop }),
  },
  {
    api: 'startP2PStream',
    code: -2004,
    how: 'on a 1vN id',
    service: '1vN',
    call: (w) => w.p2p.startP2PStream(ID, { dataCallback: noop }),
  },
  // sendCommand (answers {type: 'error', errcode})
  { api: 'sendCommand', code: -2002, how: 'before init', init: false, call: (w) => w.p2p.sendCommand(ID, COMMAND) },
  {
    api: 'sendCommand',
    code: -2000,
    how: 'an empty command',
    service: 'plain',
    call: (w) => w.p2p.sendCommand(ID, ''),
  },
  { api: 'sendCommand', code: -2403, how: 'no such service', call: (w) => w.p2p.sendCommand(ID, COMMAND) },
  { api: 'sendCommand', code: -2004, how: 'on a 1vN id', service: '1vN', call: (w) => w.p2p.sendCommand(ID, COMMAND) },
  // startVoiceService
  {
    api: 'startVoiceService',
    code: -2002,
    how: 'before init',
    init: false,
    call: (w) => w.p2p.startVoiceService(ID, new SimRecorder(w.clock), voiceOptions),
  },
  {
    api: 'startVoiceService',
    code: -2000,
    how: "format other than 'PCM'",
    service: 'plain',
    call: (w) => w.p2p.startVoiceService(ID, new SimRecorder(w.clock), { format: 'mp3' }),
  },
  {
    api: 'startVoiceService',
    code: -2000,
    how: 'not a RecorderManager',
    service: 'plain',
    call: (w) => w.p2p.startVoiceService(ID, {} as never, voiceOptions),
  },
  {
    api: 'startVoiceService',
    code: -2401,
    how: 'a talk already running',
    service: 'plain',
    call: async (w) => {
      expect(await w.p2p.startVoiceService(ID, new SimRecorder(w.clock), voiceOptions)).toBe(0);
      return w.p2p.startVoiceService(ID, new SimRecorder(w.clock), voiceOptions);
    },
  },
  {
    api: 'startVoiceService',
    code: -2403,
    how: 'no such service',
    call: (w) => w.p2p.startVoiceService(ID, new SimRecorder(w.clock), voiceOptions),
  },
  {
    api: 'startVoiceService',
    code: -2601,
    how: 'the microphone refuses to start',
    service: 'plain',
    call: (w) => w.p2p.startVoiceService(ID, refusedRecorder(w), voiceOptions),
  },
  {
    api: 'startVoiceService',
    code: -2004,
    how: 'on a 1vN id',
    service: '1vN',
    call: (w) => w.p2p.startVoiceService(ID, new SimRecorder(w.clock), voiceOptions),
  },
  // startLocalDownload (the guide's general table)
  { api: 'startLocalDownload', code: -2002, how: 'before init', init: false, call: download('a.bin') },
  {
    api: 'startLocalDownload',
    code: -2000,
    how: 'urlParams without file_name',
    service: 'plain',
    call: (w) => w.p2p.startLocalDownload(ID, { urlParams: 'channel=0' }, { onReceiveChunk: noop, onComplete: noop }),
  },
  { api: 'startLocalDownload', code: -2403, how: 'no such service', call: download('a.bin') },
  {
    api: 'startLocalDownload',
    code: -2701,
    how: 'a file the camera does not have',
    service: 'plain',
    call: download('none.bin'),
  },
  { api: 'startLocalDownload', code: -2004, how: 'on a 1vN id', service: '1vN', call: download('a.bin') },
];

async function prepare(w: SimWorld, row: Row): Promise<void> {
  if (row.init === false) return;
  expect(await w.init()).toBe(0);
  if (row.service === 'plain' || row.service === 'stream') {
    const callbacks = row.service === 'stream' ? { ...msg, dataCallback: noop } : msg;
    expect(await w.clock.settle(w.p2p.startP2PService(ID, w.streamInfo(), callbacks))).toBe(0);
  }
  if (row.service === '1vN') {
    // a 1vN service is registered from the call on (the simulator has no swarm, so it is still joining)
    void w.p2p.startP2PService(ID, { url: LIVE_1VN }, { ...msg, dataCallback: noop });
  }
}

describe("the guide's return codes (each API × each code × how to provoke it)", () => {
  for (const row of ROWS) {
    it(`${row.api} → ${row.code}: ${row.how}`, async () => {
      const w = await createSimWorld({ camera: { files: new Map([['a.bin', new Uint8Array(1000)]]) } });
      await prepare(w, row);
      const answer = await w.clock.settle(Promise.resolve(row.call(w)));
      const code = typeof answer === 'number' ? answer : answer.errcode;
      expect(code).toBe(row.code);
      if (typeof answer !== 'number') expect(answer.type).toBe('error');
      if (row.api !== 'resetP2P') expect(w.p2p.lastError(ID), 'lastError is set').toMatch(/\S/);
      w.p2p.destroy();
    });
  }

  it('init → -2000 (no appParams), -2003 (twice); getUUID exists before init and after a failed one', async () => {
    const w = await createSimWorld();
    const uuid = w.p2p.getUUID();
    expect(uuid).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
    expect(await w.clock.settle(w.p2p.init({ appParams: {} as never }))).toBe(-2000);
    expect(w.p2p.getUUID()).toBe(uuid);
    expect(await w.init()).toBe(0);
    expect(await w.init()).toBe(-2003);
    expect(w.p2p.getUUID()).toBe(uuid);
    w.p2p.destroy();
  });

  it('init with a signalling ticket needs no app keys; without keys or ticket, or with a bad ticket, -2000', async () => {
    const w = await createSimWorld();
    const page = { appid: SIM_APP.appid, serverUrl: 'http://127.0.0.1:1' };
    expect(await w.clock.settle(w.p2p.init({ appParams: page as never }))).toBe(-2000);
    expect(await w.clock.settle(w.p2p.init({ appParams: page, ticket: '' }))).toBe(-2000);
    expect(await w.clock.settle(w.p2p.init({ appParams: page, ticket: 'x'.repeat(513) }))).toBe(-2000);
    expect(await w.clock.settle(w.p2p.init({ appParams: page, ticket: 42 as never }))).toBe(-2000);
    expect(await w.clock.settle(w.p2p.init({ appParams: page, ticket: 'ok', renewXp2pInfo: 1 as never }))).toBe(-2000);
    expect(await w.clock.settle(w.p2p.init({ appParams: page, ticket: async () => 't1.a.b', probe: 'off' }))).toBe(0);
    w.p2p.destroy();
  });

  it('init → -2404 where the browser has no WebRTC; getUUID still answers', async () => {
    const w = await createSimWorld();
    const gap = browserP2PGap({ WebSocket: class {}, crypto: globalThis.crypto } as never);
    expect(gap).toMatch(/RTCPeerConnection/);
    const logs: string[] = [];
    const host = { ...w.host, platform: { ...w.host.platform, unsupported: gap } };
    const p2p = createModuleOn(host, SDK_DEFAULTS);
    const code = await p2p.init({
      appParams: { ...SIM_APP },
      eventHandler: (e, d) => e === 'log' && logs.push(String(d)),
    });
    expect(code).toBe(ErrorCode.P2P_UNSUPPORTED);
    expect(logs.join('\n')).toMatch(/not supported here: this browser has no WebRTC/);
    expect(p2p.getUUID()).toMatch(/\S/);
    expect(await p2p.startP2PService(ID, w.streamInfo(), msg)).toBe(-2002);
  });
});
