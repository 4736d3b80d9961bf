/**
 * The guide's §4 events and the RecorderManager contract of talkback, on the 1v1 simulator:
 * `disconnect` only when the P2P link is gone; a stream cut while the link lives ends with `close`;
 * a failed auto-start leaves no service; an interruption pauses the talk; a recorder that stops on its
 * own is started again.
 */
import { describe, expect, it } from 'vitest';
import { SimRecorder } from '../one-to-one/sim/sim-recorder.js';
import { createSimWorld, type SimWorld } from '../one-to-one/sim/sim-world.test-support.js';

const ID = 'cam';

async function liveService(w: SimWorld) {
  const notifies: string[] = [];
  let bytes = 0;
  const code = await w.clock.settle(
    w.p2p.startP2PService(ID, w.streamInfo(), {
      msgCallback: (event, subtype) => event === 'notify' && notifies.push(subtype),
      dataCallback: (data) => (bytes += data.byteLength),
    }),
  );
  return { code, notifies, bytes: () => bytes };
}

describe("the guide's §4 events (simulator)", () => {
  it('a stream the camera cuts while the link lives ends with close, and the service can stream again', async () => {
    const w = await createSimWorld();
    expect(await w.init()).toBe(0);
    const live = await liveService(w);
    expect(live.code).toBe(0);
    await w.clock.advance(1_000);
    w.camera.cutLive(503, 'source lost');
    await w.clock.advance(500);
    expect(live.notifies).toContain('close');
    expect(live.notifies).not.toContain('disconnect');
    let again = 0;
    expect(await w.clock.settle(w.p2p.startP2PStream(ID, { dataCallback: (d) => (again += d.byteLength) }))).toBe(0);
    await w.clock.advance(1_000);
    expect(again).toBeGreaterThan(10_000);
    w.p2p.destroy();
  });

  it('a failed auto-start (-2402) leaves no service: the retry starts, it is not -2401', async () => {
    const w = await createSimWorld();
    expect(await w.init()).toBe(0);
    const callbacks = { msgCallback: () => {}, dataCallback: () => {} };
    expect(await w.clock.settle(w.p2p.startP2PService(ID, w.streamInfo('action=nonsense'), callbacks))).toBe(-2402);
    expect(w.p2p.lastError(ID)).toMatch(/no such request/);
    expect(await w.clock.settle(w.p2p.startP2PService(ID, w.streamInfo(), callbacks))).toBe(0);
    w.p2p.destroy();
    await w.clock.advance(1_000);
    expect(w.leaks()).toEqual({ timers: 0, peerConnections: 0, channels: 0, signalListeners: 0 });
  });
});

/** A started talk on `w`'s camera with `recorder` (which shares w's clock); the voice callbacks it saw. */
async function talkingOn(w: SimWorld, recorder: SimRecorder): Promise<string[]> {
  expect(await w.init()).toBe(0);
  expect(await w.clock.settle(w.p2p.startP2PService(ID, w.streamInfo(), { msgCallback: () => {} }))).toBe(0);
  const seen: string[] = [];
  const callbacks = {
    onStart: () => seen.push('start'),
    onPause: (r: { inInterruption: boolean }) => seen.push(`pause inInterruption=${r.inInterruption}`),
    onResume: () => seen.push('resume'),
    onStop: (r: { willRestart: boolean }) => seen.push(`stop willRestart=${r.willRestart}`),
  };
  expect(await w.clock.settle(w.p2p.startVoiceService(ID, recorder, { format: 'PCM' }, callbacks))).toBe(0);
  return seen;
}

describe('talkback follows the RecorderManager contract (simulator)', () => {
  it('an interruption pauses the voice stream (inInterruption) and its end resumes it', async () => {
    const w = await createSimWorld();
    const recorder = new SimRecorder(w.clock);
    const seen = await talkingOn(w, recorder);
    await w.clock.advance(1_000);
    expect(w.camera.voiceBytes).toBeGreaterThan(20_000); // 16 kHz mono 16-bit: 32 kB/s
    recorder.interrupt();
    await w.clock.advance(200);
    const atPause = w.camera.voiceBytes;
    await w.clock.advance(2_000);
    expect(w.camera.voiceBytes, 'nothing goes up during the interruption').toBe(atPause);
    recorder.endInterruption();
    await w.clock.advance(1_000);
    expect(w.camera.voiceBytes - atPause).toBeGreaterThan(20_000);
    expect(seen).toEqual(['start', 'pause inInterruption=true', 'resume']);
    w.p2p.destroy();
  });

  it('a recorder that stops on its own is restarted (willRestart) and the talk goes on; stopVoiceService ends it', async () => {
    const w = await createSimWorld();
    const recorder = new SimRecorder(w.clock, 20, 3_000); // stops after 3 s, like the mini-program's after 10 min
    const seen = await talkingOn(w, recorder);
    await w.clock.advance(10_000);
    expect(recorder.starts).toBe(4); // started at 0, restarted at 3, 6 and 9 s
    expect(seen.filter((e) => e === 'stop willRestart=true')).toHaveLength(3);
    // the upstream never ended: the camera got about 10 s of audio at 32 kB/s
    expect(w.camera.voiceBytes).toBeGreaterThan(9 * 32_000);
    w.p2p.stopVoiceService(ID);
    await w.clock.advance(500);
    expect(seen.at(-1)).toBe('stop willRestart=false');
    expect(recorder.isRunning).toBe(false);
    const after = w.camera.voiceBytes;
    await w.clock.advance(4_000);
    expect(recorder.starts, 'not restarted after stopVoiceService').toBe(4);
    expect(w.camera.voiceBytes).toBe(after);
    w.p2p.destroy();
  });
});
