import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RequestError } from '../http-like.js';
import { waitUntil } from '@xp2p/testing';
import { fakeResponse } from '@xp2p/testing/device';
import { commandVoiceSink } from './command-sink.js';
import { VoiceHandler } from './voice-handler.js';
import { wavFileVoiceSink } from './wav-file-sink.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'xp2p-voice-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const ctx = { sessionId: 'session-abc' };
const pcm = (n: number, seed: number) => Uint8Array.from({ length: n }, (_, i) => (i * 7 + seed) & 0xff);

describe('VoiceHandler', () => {
  it('writes what the viewer sends to a WAV file with exact sizes, then ends the response', async () => {
    const files: { path: string; bytes: number }[] = [];
    const handler = new VoiceHandler(wavFileVoiceSink(dir, { onFile: (path, bytes) => files.push({ path, bytes }) }));
    const res = fakeResponse();
    await handler.serve(new URLSearchParams('channel=0&sample_rate=16000&channels=1&bits=16'), res, ctx);
    expect(res.status).toBe(200);
    expect(handler.busy).toBe(true);
    const parts = [pcm(3200, 1), pcm(3200, 2), pcm(1600, 3)];
    for (const p of parts) res.sendUp(p);
    res.endUp();
    await res.finished;
    expect(res.ended).toBe(true);
    expect(handler.busy).toBe(false);

    const [name] = readdirSync(dir);
    expect(name).toMatch(/^talk_\d+_session.*\.wav$/);
    const wav = new Uint8Array(readFileSync(join(dir, name!)));
    const view = new DataView(wav.buffer, wav.byteOffset);
    expect(String.fromCharCode(...wav.subarray(0, 4))).toBe('RIFF');
    expect(view.getUint32(4, true)).toBe(wav.byteLength - 8);
    expect(view.getUint32(24, true)).toBe(16000);
    expect(view.getUint16(22, true)).toBe(1);
    expect(view.getUint32(40, true)).toBe(8000);
    expect(Buffer.from(wav.subarray(44)).equals(Buffer.concat(parts))).toBe(true);
    expect(files).toEqual([{ path: join(dir, name!), bytes: 8000 }]);

    // and a real decoder agrees: 8000 bytes of mono s16 at 16 kHz = 0.25 s
    const duration = await new Promise<string>((resolve) =>
      execFile(
        'ffprobe',
        ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', join(dir, name!)],
        (_e, out) => resolve(out.trim()),
      ),
    );
    expect(Number(duration)).toBeCloseTo(0.25, 3);
  });

  it('admits one talker at a time: the second gets 503 until the first leaves', async () => {
    const handler = new VoiceHandler(wavFileVoiceSink(dir));
    const first = fakeResponse();
    await handler.serve(new URLSearchParams(''), first, ctx);
    const second = fakeResponse();
    await handler.serve(new URLSearchParams(''), second, { sessionId: 'other' });
    expect(first.status).toBe(200);
    expect(second.status).toBe(503);
    first.closeByViewer(); // left without `end`: the file is still finished
    await waitUntil(() => !handler.busy, { intervalMs: 5 });
    const third = fakeResponse();
    await handler.serve(new URLSearchParams('sample_rate=8000&channels=2'), third, ctx);
    expect(third.status).toBe(200);
    third.endUp();
    await third.finished;
    expect(readdirSync(dir).length).toBe(2);
  });

  it('refuses bad formats (400) and answers 404 without a sink', async () => {
    const handler = new VoiceHandler(wavFileVoiceSink(dir));
    for (const q of ['sample_rate=7999', 'sample_rate=48001', 'channels=3', 'bits=8', 'sample_rate=abc']) {
      await expect(handler.serve(new URLSearchParams(q), fakeResponse(), ctx), q).rejects.toBeInstanceOf(RequestError);
    }
    expect(handler.busy).toBe(false);
    const none = fakeResponse();
    await new VoiceHandler(undefined).serve(new URLSearchParams(''), none, ctx);
    expect(none.status).toBe(404);
  });

  it('pipes the talk into a program, with the format in its command line', async () => {
    const out = join(dir, 'piped.raw');
    const handler = new VoiceHandler(commandVoiceSink(`cat > ${out}.{sample_rate}`));
    const res = fakeResponse();
    await handler.serve(new URLSearchParams('sample_rate=22050'), res, ctx);
    const data = pcm(5000, 9);
    res.sendUp(data);
    res.endUp();
    await res.finished;
    expect(Buffer.from(readFileSync(`${out}.22050`)).equals(Buffer.from(data))).toBe(true);
  });
});
