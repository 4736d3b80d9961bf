import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LiveHandler } from './live-handler.js';
import { LiveHub } from './media/live-hub.js';
import type { RecordingsStore } from './recordings/recordings-store.js';
import { guardByRole } from './role-guard.js';
import { createRouter } from './router.js';
import { ask, recordSample } from '@xp2p/testing/device';
import { VoiceHandler } from './voice/voice-handler.js';
import { wavFileVoiceSink } from './voice/wav-file-sink.js';

const T0 = Date.UTC(2026, 10, 30, 12, 0, 0) / 1000;
let dir: string;
let store: RecordingsStore;
const hub = new LiveHub();
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'xp2p-role-'));
  store = await recordSample(join(dir, 'store'), { startS: T0, passes: 1, segmentSeconds: 4 });
});
afterAll(async () => {
  hub.close();
  await rm(dir, { recursive: true, force: true });
});

const routerFor = (role: 'viewer' | 'operator' | 'owner') =>
  guardByRole(
    createRouter({
      live: new LiveHandler(hub, 4),
      channels: 1,
      recordings: store,
      voice: new VoiceHandler(wavFileVoiceSink(join(dir, 'voice'))),
      onCommand: () => 'ok',
    }),
    role,
  );

describe('the camera checks the role of every request', () => {
  it('refuses talk, commands and download to a viewer with 403, and says which role is needed', async () => {
    const viewer = routerFor('viewer');
    const talk = await ask(viewer, 'voice', 'channel=0');
    expect(talk.status).toBe(403);
    expect(talk.headers['x-reason']).toMatch(/viewer role may not do this \(needs operator\)/);
    const download = await ask(viewer, 'ipc.flv', 'action=download&channel=0&file_name=x.flv');
    expect(download.status).toBe(403);
    for (const q of [
      'action=user_define&channel=0&cmd=reboot',
      'action=inner_define&channel=0&cmd=get_device_st&type=live',
    ]) {
      const res = await ask(viewer, 'ipc.flv', q);
      expect(res.status, q).toBe(403);
      expect(res.headers['content-type'], q).toBe('application/json');
    }
  });

  it('lets a viewer read the record index for playback', async () => {
    const res = await ask(
      routerFor('viewer'),
      'ipc.flv',
      `action=inner_define&channel=0&cmd=get_record_index&start_time=${T0 - 60}&end_time=${T0 + 60}`,
    );
    expect(res.status).toBe(200);
  });

  it('lets an operator run commands', async () => {
    const res = await ask(
      routerFor('operator'),
      'ipc.flv',
      'action=inner_define&channel=0&cmd=get_device_st&type=live',
    );
    expect(res.status).toBe(200);
  });
});
