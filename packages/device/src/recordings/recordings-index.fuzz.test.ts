/**
 * The recordings index is a file on the camera's disk, which a crash, a full disk or another program can
 * leave in any state. Opening the store with any index content must never throw and must list only
 * entries that name a file in the directory (never a path outside it).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, it } from 'vitest';
import { RecordingsStore } from './recordings-store.js';
import { INDEX_FILE } from './segment-name.js';

const FUZZ_MS = Math.max(100, Number(process.env.FUZZ_SECONDS ?? 2) * 1000);
const dir = mkdtempSync(join(tmpdir(), 'xp2p-index-fuzz-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const entryish = fc.record(
  {
    file_name: fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom('../../etc/passwd', 'a/b.flv', '', '.', '..')),
    start_time: fc.oneof(fc.integer(), fc.double(), fc.string()),
    end_time: fc.oneof(fc.integer(), fc.double(), fc.constant(null)),
    file_size: fc.oneof(fc.nat(), fc.double()),
    type: fc.oneof(fc.nat({ max: 3 }), fc.string()),
  },
  { requiredKeys: [] },
);
const indexText = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.json({ maxDepth: 3 }),
  fc.array(entryish, { maxLength: 5 }).map((recordings) => JSON.stringify({ recordings })),
);

describe('fuzz: recordings index', () => {
  it(
    'any index content opens, and lists only files of the directory',
    async () => {
      await fc.assert(
        fc.asyncProperty(indexText, async (text) => {
          writeFileSync(join(dir, INDEX_FILE), text);
          const store = await RecordingsStore.open(dir, { log: () => {} });
          for (const e of store.list()) {
            if (e.file_name.includes('/') || e.file_name === '..' || e.file_name === '.')
              throw new Error(`listed a path outside the store: ${e.file_name}`);
          }
        }),
        { numRuns: Number.MAX_SAFE_INTEGER, interruptAfterTimeLimit: FUZZ_MS },
      );
    },
    FUZZ_MS + 60_000,
  );
});
