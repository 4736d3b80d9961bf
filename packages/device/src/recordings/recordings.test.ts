import { copyFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isScriptTag, isSequenceHeader, parseFlv, startsGop } from '@xp2p/protocol';
import { decodeErrors } from '@xp2p/testing';
import { recordSample } from '@xp2p/testing/device';
import { RecordingsStore } from './recordings-store.js';

const T0 = Date.UTC(2026, 10, 3, 23, 59, 50) / 1000; // 10 s before midnight UTC, 3 -> 4 Nov 2026

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'xp2p-rec-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('SegmentRecorder + RecordingsStore', () => {
  it('cuts the feed into self-contained FLV segments at keyframes, named and indexed by time', async () => {
    const store = await recordSample(dir, { startS: T0, passes: 2, segmentSeconds: 4 });
    const list = store.list();
    // 20 s of media, cut at the first 1 s keyframe after 4 s: 4+4+4+4+4 s
    expect(list.length).toBe(5);
    expect(list[0]!.start_time).toBe(T0);
    for (const [i, e] of list.entries()) {
      expect(e.file_name).toBe(`rec_${e.start_time}_${e.end_time}.flv`);
      expect(e.type).toBe(0);
      expect(e.end_time - e.start_time).toBeGreaterThanOrEqual(4);
      if (i > 0) expect(e.start_time).toBeGreaterThanOrEqual(list[i - 1]!.end_time - 1);
      const path = join(dir, e.file_name);
      const bytes = new Uint8Array(readFileSync(path));
      expect(e.file_size).toBe(bytes.byteLength);
      const { tags } = parseFlv(bytes);
      // header, then metadata + sequence headers, then media from a keyframe at 0
      expect(isScriptTag(tags[0]!)).toBe(true);
      expect(tags.slice(1, 3).every(isSequenceHeader)).toBe(true);
      const firstMedia = tags.find((t) => !isScriptTag(t) && !isSequenceHeader(t))!;
      expect(startsGop(firstMedia)).toBe(true);
      expect(firstMedia.timestamp).toBe(0);
      expect(await decodeErrors(path)).toBe('');
    }
    const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as { recordings: unknown[] };
    expect(index.recordings).toEqual(list);
    expect(readdirSync(dir).filter((n) => n.endsWith('.part') || n.endsWith('.tmp'))).toEqual([]);
  });

  it('answers range, month-day and file queries', async () => {
    const store = await recordSample(dir, { startS: T0, passes: 2, segmentSeconds: 4 });
    const all = store.list();
    expect(store.inRange(T0 + 5, T0 + 9).map((e) => e.file_name)).toEqual(
      all.filter((e) => e.start_time < T0 + 9 && e.end_time > T0 + 5).map((e) => e.file_name),
    );
    expect(store.inRange(T0 - 100, T0 - 50)).toEqual([]);
    // days 3 and 4 of November 2026 (UTC): bits 2 and 3
    expect(store.monthDays(2026, 11)).toBe((1 << 2) | (1 << 3));
    expect(store.monthDays(2026, 10)).toBe(0);
    writeFileSync(join(dir, 'snapshot.jpg'), 'jpeg');
    const others = await store.otherFiles();
    expect(others.map((f) => f.file_name)).toEqual(['snapshot.jpg']);
    expect(others[0]!.file_size).toBe(4);
  });

  it('survives a restart: vanished files leave the index, foreign FLV files and crash leftovers join it', async () => {
    const first = await recordSample(dir, { startS: T0, passes: 1, segmentSeconds: 4 });
    const names = first.list().map((e) => e.file_name);
    expect(names.length).toBe(3); // 10 s: 4 + 4 + 2
    await rm(join(dir, names[0]!));
    // someone's own FLV file: indexed by its mtime and duration
    copyFileSync(join(dir, names[1]!), join(dir, 'holiday.flv'));
    await utimes(join(dir, 'holiday.flv'), T0 + 1000, T0 + 1000);
    // a segment that was being written when the camera died
    copyFileSync(join(dir, names[1]!), join(dir, `rec_${T0 + 2000}.flv.part`));
    writeFileSync(join(dir, `rec_${T0 + 3000}.flv.part`), 'garbage');
    writeFileSync(join(dir, 'notes.txt'), 'not a recording');

    const reopened = await RecordingsStore.open(dir, { now: () => (T0 + 3000) * 1000 });
    const after = reopened.list();
    expect(after.map((e) => e.file_name)).toEqual([
      names[1],
      names[2],
      'holiday.flv',
      expect.stringMatching(new RegExp(`^rec_${T0 + 2000}_\\d+\\.flv$`)),
    ]);
    const holiday = after[2]!;
    expect(holiday.end_time).toBe(T0 + 1000);
    expect(holiday.end_time - holiday.start_time).toBeGreaterThanOrEqual(3);
    expect(existsSync(join(dir, `rec_${T0 + 3000}.flv.part`))).toBe(false);
    const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as { recordings: unknown[] };
    expect(index.recordings).toEqual(after);
  });

  it('a corrupt index is rebuilt from the files', async () => {
    const first = await recordSample(dir, { startS: T0, passes: 1, segmentSeconds: 4 });
    const before = first.list();
    writeFileSync(join(dir, 'index.json'), '{"recordings": [tru');
    const reopened = await RecordingsStore.open(dir, { now: () => T0 * 1000 });
    expect(reopened.list()).toEqual(before);
  });

  it('prunes its own oldest segments beyond the size and age limits, never foreign files', async () => {
    const recorded = await recordSample(dir, { startS: T0, passes: 2, segmentSeconds: 4 });
    const all = recorded.list();
    copyFileSync(join(dir, all[0]!.file_name), join(dir, 'mine.flv'));
    await utimes(join(dir, 'mine.flv'), T0 - 100_000, T0 - 100_000);
    const keepBytes = all[3]!.file_size + all[4]!.file_size;
    const bySize = await RecordingsStore.open(dir, { maxBytes: keepBytes, maxAgeSeconds: 0, now: () => T0 * 1000 });
    expect(bySize.list().map((e) => e.file_name)).toEqual(['mine.flv', all[3]!.file_name, all[4]!.file_name]);
    expect(existsSync(join(dir, all[0]!.file_name))).toBe(false);

    // an hour later, with a 30-minute age limit, the rest of the recorder's segments go too
    const byAge = await RecordingsStore.open(dir, { maxAgeSeconds: 1800, now: () => (T0 + 3600) * 1000 });
    expect(byAge.list().map((e) => e.file_name)).toEqual(['mine.flv']);
  });
});
