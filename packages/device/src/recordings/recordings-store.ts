/**
 * The camera's recordings: FLV segment files in one directory plus `index.json` listing them.
 *
 * The index is only a cache of what the directory holds. On open it is reconciled with the directory:
 * entries whose file vanished are dropped, `.flv` files it does not know are scanned and added (so any
 * directory of FLV files works as a store), and segments left half-written by a crash are finished.
 * It is rewritten atomically (temp file + rename), so a crash leaves the old or the new index, never half.
 *
 * Times are unix seconds; days and months (get_month_record) are UTC days.
 * Pruning deletes only files the recorder wrote (rec_*.flv); a user's own files are never deleted.
 */
import { readdir, readFile, rename, rm, stat, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { DEVICE_DEFAULTS } from '../defaults.js';
import { summarizeFlvFile } from './flv-file.js';
import {
  INDEX_FILE,
  isStoreInternal,
  parseSegmentFileName,
  parseSegmentPartName,
  segmentFileName,
} from './segment-name.js';

/** Type of an index entry: 0 = video recording (FLV). */
export const RECORDING_TYPE_VIDEO = 0;

export interface RecordingEntry {
  file_name: string;
  /** unix seconds */
  start_time: number;
  end_time: number;
  file_size: number;
  type: number;
}

/** A file of the store that is not a recording (snapshots, logs, ...): downloadable, listed as file_type=1. */
export interface StoredFile {
  file_name: string;
  file_size: number;
  /** Its modification time (unix seconds) stands for both. */
  start_time: number;
  end_time: number;
}

export interface RecordingsStoreOptions {
  /** Prune recorder-made segments, oldest first, beyond this many bytes (0 = no limit). */
  maxBytes?: number;
  /** ...and those that ended more than this many seconds ago (0 = no limit). */
  maxAgeSeconds?: number;
  /** Clock in ms (tests). */
  now?: () => number;
  log?: (line: string) => void;
}

export class RecordingsStoreError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'RecordingsStoreError';
  }
}

interface IndexFile {
  version: 1;
  recordings: RecordingEntry[];
}

export class RecordingsStore {
  private entries: RecordingEntry[] = [];
  private saveChain: Promise<void> = Promise.resolve();
  private readonly now: () => number;
  private readonly log: (line: string) => void;
  private readonly maxBytes: number;
  private readonly maxAgeSeconds: number;

  private constructor(
    readonly dir: string,
    options: RecordingsStoreOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.log = options.log ?? (() => {});
    this.maxBytes = options.maxBytes ?? DEVICE_DEFAULTS.recordingsMaxBytes;
    this.maxAgeSeconds = options.maxAgeSeconds ?? DEVICE_DEFAULTS.recordingsMaxAgeSeconds;
  }

  /** Opens (creating if needed) a store directory and brings its index up to date with the files. */
  static async open(dir: string, options: RecordingsStoreOptions = {}): Promise<RecordingsStore> {
    await mkdir(dir, { recursive: true, mode: 0o700 }); // private: other local users may not read recordings
    const store = new RecordingsStore(dir, options);
    await store.reconcile();
    await store.prune();
    await store.save();
    return store;
  }

  /** Every recording, oldest first. */
  list(): readonly RecordingEntry[] {
    return this.entries;
  }

  /** Recordings that overlap [start, end) (unix seconds), oldest first. */
  inRange(start: number, end: number): RecordingEntry[] {
    return this.entries.filter((e) => e.start_time < end && e.end_time > start);
  }

  /** Bit d-1 is set when UTC day d of the month has any recording. */
  monthDays(year: number, month: number): number {
    const monthStart = Date.UTC(year, month - 1, 1) / 1000;
    const monthEnd = Date.UTC(year, month, 1) / 1000;
    let mask = 0;
    for (const e of this.inRange(monthStart, monthEnd)) {
      const from = Math.max(e.start_time, monthStart);
      const to = Math.min(e.end_time, monthEnd - 1); // a recording ending exactly at midnight
      for (let day = Math.floor((from - monthStart) / 86_400); day <= Math.floor((to - monthStart) / 86_400); day++) {
        mask |= 1 << day;
      }
    }
    return mask >>> 0;
  }

  /** Regular files of the store that are not recordings, modified within [start, end]. */
  async otherFiles(start = 0, end = Number.MAX_SAFE_INTEGER): Promise<StoredFile[]> {
    const known = new Set(this.entries.map((e) => e.file_name));
    const out: StoredFile[] = [];
    for (const name of await readdir(this.dir)) {
      if (known.has(name) || isStoreInternal(name)) continue;
      const st = await stat(join(this.dir, name)).catch(() => undefined);
      if (!st?.isFile()) continue;
      const t = Math.floor(st.mtimeMs / 1000);
      if (t < start || t > end) continue;
      out.push({ file_name: name, file_size: st.size, start_time: t, end_time: t });
    }
    return out.sort((a, b) => a.start_time - b.start_time || a.file_name.localeCompare(b.file_name));
  }

  pathOf(name: string): string {
    return join(this.dir, name);
  }

  /** Adds a finished recording (the file must already be in the directory), then prunes. */
  async add(entry: RecordingEntry): Promise<void> {
    this.entries = this.entries.filter((e) => e.file_name !== entry.file_name);
    this.entries.push(entry);
    this.sort();
    await this.prune();
    await this.save();
  }

  /** Deletes recorder-made segments beyond the age and size limits, oldest first. Returns their names. */
  async prune(): Promise<string[]> {
    const nowS = Math.floor(this.now() / 1000);
    const own = this.entries.filter((e) => parseSegmentFileName(e.file_name));
    let total = own.reduce((sum, e) => sum + e.file_size, 0);
    const doomed = new Set<RecordingEntry>();
    for (const e of own) {
      const tooOld = this.maxAgeSeconds > 0 && e.end_time < nowS - this.maxAgeSeconds;
      const tooBig = this.maxBytes > 0 && total > this.maxBytes;
      if (!tooOld && !tooBig) continue;
      doomed.add(e);
      total -= e.file_size;
    }
    if (doomed.size === 0) return [];
    this.entries = this.entries.filter((e) => !doomed.has(e));
    for (const e of doomed) await rm(this.pathOf(e.file_name), { force: true });
    this.log(`recordings: pruned ${[...doomed].map((e) => e.file_name).join(', ')}`);
    await this.save();
    return [...doomed].map((e) => e.file_name);
  }

  /** Writes the index atomically; concurrent saves are serialised so the last state always wins. */
  save(): Promise<void> {
    const run = async () => {
      const body: IndexFile = { version: 1, recordings: this.entries };
      const tmp = join(this.dir, `${INDEX_FILE}.${process.pid}.tmp`);
      await writeFile(tmp, JSON.stringify(body, null, 1));
      await rename(tmp, join(this.dir, INDEX_FILE));
    };
    this.saveChain = this.saveChain.then(run, run);
    return this.saveChain;
  }

  private sort(): void {
    this.entries.sort((a, b) => a.start_time - b.start_time || a.file_name.localeCompare(b.file_name));
  }

  private async reconcile(): Promise<void> {
    const loaded = await this.loadIndex();
    const names = new Set(await readdir(this.dir));
    const kept: RecordingEntry[] = [];
    for (const e of loaded) {
      if (!names.has(e.file_name)) continue; // the file was deleted behind our back
      const st = await stat(this.pathOf(e.file_name)).catch(() => undefined);
      if (!st?.isFile()) continue;
      kept.push({ ...e, file_size: st.size });
    }
    const known = new Set(kept.map((e) => e.file_name));
    for (const name of names) {
      const partStart = parseSegmentPartName(name);
      if (partStart !== undefined) {
        const finished = await this.finishLeftover(name, partStart);
        if (finished) kept.push(finished);
        continue;
      }
      if (known.has(name) || !/\.flv$/i.test(name) || name.startsWith('.')) continue;
      const found = await this.describeFlv(name);
      if (found) kept.push(found);
    }
    this.entries = kept;
    this.sort();
  }

  private async loadIndex(): Promise<RecordingEntry[]> {
    let text: string;
    try {
      text = await readFile(join(this.dir, INDEX_FILE), 'utf8');
    } catch {
      return []; // a new store
    }
    try {
      const parsed = JSON.parse(text) as Partial<IndexFile>;
      if (!Array.isArray(parsed.recordings)) throw new RecordingsStoreError('no recordings array');
      return parsed.recordings.filter(isEntry);
    } catch (err) {
      this.log(`recordings: ${INDEX_FILE} unreadable (${String(err)}); rebuilding it from the files`);
      return [];
    }
  }

  /** Indexes an FLV file found in the directory; its times come from its name or its mtime. */
  private async describeFlv(name: string): Promise<RecordingEntry | undefined> {
    const path = this.pathOf(name);
    const st = await stat(path).catch(() => undefined);
    if (!st?.isFile()) return undefined;
    const summary = await summarizeFlvFile(path);
    if (!summary) return undefined;
    const named = parseSegmentFileName(name);
    const end = named?.end ?? Math.floor(st.mtimeMs / 1000);
    const start = named?.start ?? end - Math.ceil(summary.durationMs / 1000);
    return { file_name: name, start_time: start, end_time: end, file_size: st.size, type: RECORDING_TYPE_VIDEO };
  }

  /** A segment the recorder was writing when the camera stopped: keep what plays, drop the rest. */
  private async finishLeftover(name: string, start: number): Promise<RecordingEntry | undefined> {
    const path = this.pathOf(name);
    const summary = await summarizeFlvFile(path);
    if (!summary) {
      await rm(path, { force: true });
      return undefined;
    }
    const end = start + Math.max(1, Math.ceil(summary.durationMs / 1000));
    const finalName = segmentFileName(start, end);
    await rename(path, this.pathOf(finalName));
    const st = await stat(this.pathOf(finalName));
    this.log(`recordings: recovered ${finalName} left by an interrupted recording`);
    return { file_name: finalName, start_time: start, end_time: end, file_size: st.size, type: RECORDING_TYPE_VIDEO };
  }
}

function isEntry(e: unknown): e is RecordingEntry {
  if (typeof e !== 'object' || e === null) return false;
  const r = e as Record<string, unknown>;
  return (
    typeof r.file_name === 'string' &&
    !r.file_name.includes('/') &&
    typeof r.start_time === 'number' &&
    typeof r.end_time === 'number' &&
    typeof r.file_size === 'number' &&
    typeof r.type === 'number'
  );
}
