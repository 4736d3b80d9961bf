/**
 * Property: random interleavings of the guide's calls (start/stop/stream/voice/download/command/destroy,
 * issued without waiting for each other, with path breaks, a frozen camera and a camera going offline in
 * between, so calls also land during reconnects) always answer with one of the guide's codes, and once the
 * module is destroyed nothing is left behind: no timer of the sdk, no peer connection or channel, no
 * signalling listener, no service operation still pending, and no app callback called afterwards.
 */
import { ErrorCode } from '@xp2p/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createSimWorld, type SimWorld } from './sim-world.test-support.js';
import { SimRecorder } from './sim-recorder.js';

const RUNS = 300;
const GUIDE_CODES = new Set<number>(Object.values(ErrorCode));
const COMMAND_TYPES = new Set(['success', 'failure', 'error', 'timeout']);

const id = fc.constantFrom('a', 'b');
// weights: enough time steps and starts that services get up, reconnect and run requests; destroy is rare
const action = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('start' as const), id, withStream: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('stop' as const), id }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('stream' as const), id }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('stopStream' as const), id }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('voice' as const), id }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('stopVoice' as const), id }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('download' as const), id }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('stopDownload' as const), id }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('command' as const), id }) },
  {
    weight: 8,
    arbitrary: fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 4_000 }) }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('breakPath' as const) }) },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('freeze' as const), ms: fc.integer({ min: 100, max: 12_000 }) }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('offline' as const), offline: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('destroy' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('init' as const) }) },
);
type Action = typeof action extends fc.Arbitrary<infer A> ? A : never;

/** Calls the guide API as an app would; every answer lands in `answers`, every callback is counted. */
function runAction(world: SimWorld, a: Action, answers: Promise<unknown>[], callbacks: { n: number }): void {
  const { p2p, clock, network, camera } = world;
  const count = () => void callbacks.n++;
  const app = { msgCallback: count, dataCallback: count };
  switch (a.kind) {
    case 'start':
      answers.push(p2p.startP2PService(a.id, world.streamInfo(), a.withStream ? app : { msgCallback: count }));
      return;
    case 'stop':
      return p2p.stopP2PService(a.id);
    case 'stream':
      answers.push(p2p.startP2PStream(a.id, { dataCallback: count }));
      return;
    case 'stopStream':
      return p2p.stopP2PStream(a.id);
    case 'voice': {
      const recorder = new SimRecorder(clock);
      answers.push(p2p.startVoiceService(a.id, recorder, { format: 'PCM' }, { onStart: count, onStop: count }));
      return;
    }
    case 'stopVoice':
      return p2p.stopVoiceService(a.id);
    case 'download': {
      const download = { onReceiveChunk: count, onComplete: count, onError: count, onSuccess: count };
      answers.push(p2p.startLocalDownload(a.id, { urlParams: 'channel=0&file_name=f.bin' }, download));
      return;
    }
    case 'stopDownload':
      return p2p.stopLocalDownload(a.id);
    case 'command':
      answers.push(p2p.sendCommand(a.id, 'action=inner_define&channel=0&cmd=get_device_st', { timeoutMs: 2_000 }));
      return;
    case 'advance':
      return; // the test's own time step (see below), not a guide call
    case 'breakPath':
      return network.breakPath();
    case 'freeze':
      network.setDown(true);
      return clock.later(() => network.setDown(false), a.ms);
    case 'offline':
      camera.online = !a.offline;
      return;
    case 'destroy':
      return p2p.destroy();
    case 'init':
      answers.push(world.init());
      return;
  }
}

function isGuideAnswer(value: unknown): boolean {
  if (typeof value === 'number') return GUIDE_CODES.has(value);
  const r = value as { type?: string; errcode?: number };
  return COMMAND_TYPES.has(r?.type ?? '') && GUIDE_CODES.has(r.errcode ?? NaN);
}

describe('guide calls in any order (property, simulator)', () => {
  it(`${RUNS} random call sequences: guide codes only, nothing left behind`, async () => {
    const file = new Uint8Array(300 * 1024).map((_, i) => i % 251);
    // what the runs covered, so a generator that never reaches the interesting states fails the test
    const seen = { ok: new Map<string, number>(), callsDuringReconnect: 0, reconnects: 0 };
    await fc.assert(
      fc.asyncProperty(
        fc.array(action, { minLength: 1, maxLength: 30 }),
        fc.integer(),
        fc.boolean(),
        async (actions, seed, settleFirst) => {
          // 5 frames/s instead of 25: the same stream states in fewer events, so 300 runs take seconds
          const camera = { files: new Map([['f.bin', file]]), frameMs: 200, gopFrames: 5 };
          const world = await createSimWorld({ seed, camera });
          expect(await world.init()).toBe(0);
          const answers: Promise<unknown>[] = [];
          const callbacks = { n: 0 };
          let reconnecting = 0;
          world.p2p.on('reconnecting', () => {
            reconnecting++;
            seen.reconnects++;
          });
          world.p2p.on('reconnected', () => reconnecting--);
          world.p2p.on('disconnected', () => (reconnecting = Math.max(0, reconnecting - 1)));
          // every sequence starts from a connected service, so the random part meets one that is up
          const opening: Action[] = [
            { kind: 'start', id: 'a', withStream: false },
            { kind: 'advance', ms: 500 },
          ];
          for (const a of [...opening, ...actions]) {
            const before = answers.length;
            runAction(world, a, answers, callbacks);
            if (answers.length > before && reconnecting > 0) seen.callsDuringReconnect++;
            if (answers.length > before) {
              const kind = a.kind;
              void answers.at(-1)!.then((v) => {
                const ok = v === ErrorCode.OK || (v as { type?: string })?.type === 'success';
                if (ok) seen.ok.set(kind, (seen.ok.get(kind) ?? 0) + 1);
              });
            }
            // virtual time moves only here (so later calls land later); the calls do not wait for each other
            if (a.kind === 'advance') await world.clock.advance(a.ms);
          }
          world.network.setDown(false);
          world.camera.online = true;
          if (settleFirst) {
            // with the camera reachable again, no call hangs: each answers within its bounds (connect,
            // request head, reconnect window, command timeout: all ≤ 10 s)
            await world.clock.settle(Promise.allSettled(answers), 60_000);
          }
          world.p2p.destroy();
          const afterDestroy = callbacks.n;
          const settled = Promise.allSettled(answers);
          const results = await world.clock.settle(settled, 120_000);
          for (const r of results) {
            expect(r.status).toBe('fulfilled');
            if (r.status === 'fulfilled') expect(isGuideAnswer(r.value), JSON.stringify(r.value)).toBe(true);
          }
          await world.clock.advance(30_000);
          expect(world.leaks()).toEqual({ timers: 0, peerConnections: 0, channels: 0, signalListeners: 0 });
          expect(callbacks.n, 'an app callback came after destroy').toBe(afterDestroy);
        },
      ),
      { numRuns: RUNS },
    );
    console.log(`property runs: ${JSON.stringify({ ...seen, ok: Object.fromEntries(seen.ok) })}`);
    expect(seen.reconnects).toBeGreaterThan(0);
    expect(seen.callsDuringReconnect).toBeGreaterThan(0);
    for (const kind of ['start', 'stream', 'voice', 'download', 'command'])
      expect(seen.ok.get(kind)).toBeGreaterThan(0);
  }, 60_000);
});
