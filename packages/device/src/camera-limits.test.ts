/**
 * A viewer holding a valid token is still not trusted with the camera's resources: these are its
 * attacks (unbounded concurrent commands, a command that leaves processes behind, talkback faster,
 * longer and larger than real audio, private files readable by other local users), each refused.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadCommandHandler } from './commands/load-command-handler.js';
import { DEVICE_DEFAULTS } from './defaults.js';
import { LiveHandler } from './live-handler.js';
import { LiveHub } from './media/live-hub.js';
import { RecordingsStore } from './recordings/recordings-store.js';
import { createRouter } from './router.js';
import { fakeResponse, request } from '@xp2p/testing/device';
import { VoiceHandler } from './voice/voice-handler.js';
import { wavFileVoiceSink } from './voice/wav-file-sink.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'xp2p-limits-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('commands', () => {
  it('runs at most maxConcurrentCommands at once; the next ones are told the camera is busy', async () => {
    const hub = new LiveHub();
    let running = 0;
    const release: (() => void)[] = [];
    const router = createRouter({
      live: new LiveHandler(hub, 1),
      channels: 1,
      onCommand: () =>
        new Promise<string>((resolve) => {
          running++;
          release.push(() => resolve('done'));
        }),
    });
    const n = DEVICE_DEFAULTS.maxConcurrentCommands + 3;
    const answers = Array.from({ length: n }, () => request(router, 'ipc.flv', 'action=user_define&channel=0&cmd=x'));
    await new Promise((r) => setTimeout(r, 50));
    expect(running).toBe(DEVICE_DEFAULTS.maxConcurrentCommands);
    const refused = answers.filter((a) => a.status === 503);
    expect(refused.length).toBe(3);
    expect(refused[0]!.text()).toContain('busy');
    for (const r of release) r();
    await Promise.all(answers.map((a) => a.finished));
    expect(answers.filter((a) => a.status === 200).length).toBe(DEVICE_DEFAULTS.maxConcurrentCommands);
    // a slot freed is a slot usable again
    const again = request(router, 'ipc.flv', 'action=user_define&channel=0&cmd=x');
    await new Promise((r) => setTimeout(r, 20));
    release.at(-1)!();
    await again.finished;
    expect(again.status).toBe(200);
    hub.close();
  });

  it('kills the whole process group of a shell command that times out, children included', async () => {
    const pidFile = join(dir, 'child.pid');
    // the script starts a child that outlives it and keeps its stdout open
    const handler = await loadCommandHandler(`sleep 30 & echo $! > ${pidFile}; wait`);
    const router = createRouter({
      live: new LiveHandler(new LiveHub(), 1),
      channels: 1,
      onCommand: handler,
    });
    const started = Date.now();
    const res = fakeResponse();
    router(
      { type: 'request', v: 1, path: 'ipc.flv', query: '' },
      new URLSearchParams('action=user_define&channel=0&cmd=x'),
      res,
      {
        sessionId: 's',
      },
    );
    await res.finished;
    expect(res.status).toBe(504);
    await expect.poll(() => existsSync(pidFile)).toBe(true);
    const childPid = Number(readFileSync(pidFile, 'utf8'));
    await expect.poll(() => alive(childPid), { timeout: 2_000 }).toBe(false);
    expect(Date.now() - started).toBeLessThan(DEVICE_DEFAULTS.commandTimeoutMs + 2_000);
  }, 20_000);
});

describe('talkback', () => {
  const format = 'channel=0&sample_rate=16000&channels=1&bits=16'; // 32,000 bytes per second

  it('cuts a talker that sends audio far faster than real time, and keeps only what the rate allows', async () => {
    const handler = new VoiceHandler(wavFileVoiceSink(join(dir, 'voice')));
    const res = fakeResponse();
    await handler.serve(new URLSearchParams(format), res, { sessionId: 'flood' });
    expect(res.status).toBe(200);
    for (let i = 0; i < 64; i++) res.sendUp(new Uint8Array(16 * 1024)); // 1 MiB at once: 32 s of audio
    await res.finished;
    expect(res.error?.status).toBe(429);
    await expect.poll(() => handler.busy).toBe(false);
    const [name] = readdirSync(join(dir, 'voice'));
    const size = statSync(join(dir, 'voice', name!)).size;
    expect(size).toBeLessThanOrEqual(44 + 32_000 * DEVICE_DEFAULTS.voiceBurstSeconds);
  });

  it('ends a talk at its duration and size limits', async () => {
    const handler = new VoiceHandler(wavFileVoiceSink(join(dir, 'voice')), () => {}, {
      maxTalkMs: 300,
      maxTalkBytes: 10_000,
    });
    const long = fakeResponse();
    await handler.serve(new URLSearchParams(format), long, { sessionId: 'long' });
    const started = Date.now();
    await long.finished;
    expect(long.error?.status).toBe(413);
    expect(Date.now() - started).toBeLessThan(2_000);
    await expect.poll(() => handler.busy).toBe(false);

    const big = fakeResponse();
    await handler.serve(new URLSearchParams(format), big, { sessionId: 'big' });
    for (let i = 0; i < 3; i++) big.sendUp(new Uint8Array(4_000));
    await big.finished;
    expect(big.error?.status).toBe(413);
  });

  it('creates the voice directory private (0700)', async () => {
    const handler = new VoiceHandler(wavFileVoiceSink(join(dir, 'voice')));
    const res = fakeResponse();
    await handler.serve(new URLSearchParams(format), res, { sessionId: 'mode' });
    res.endUp();
    await res.finished;
    expect(statSync(join(dir, 'voice')).mode & 0o777).toBe(0o700);
  });
});

describe('recordings', () => {
  it('creates the recordings directory private (0700)', async () => {
    await RecordingsStore.open(join(dir, 'recordings', 'demo_cam1'));
    expect(statSync(join(dir, 'recordings', 'demo_cam1')).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, 'recordings')).mode & 0o777).toBe(0o700);
  });
});
