/** parseWav reads files a user hands to `xp2p talk`: arbitrary bytes get a WAV error, never a crash. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseWav } from './node-recorder.js';

const FUZZ_MS = Math.max(100, Number(process.env.FUZZ_SECONDS ?? 2) * 1000);
const ascii = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
const u32 = (n: number) => Uint8Array.of(n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24);
/** RIFF/WAVE with arbitrary chunks after it, so the chunk walk is what gets fuzzed. */
const wavish = fc
  .array(fc.tuple(fc.constantFrom('fmt ', 'data', 'LIST', 'junk'), fc.nat(), fc.uint8Array({ maxLength: 30 })), {
    maxLength: 4,
  })
  .map((chunks) =>
    Buffer.concat([
      ascii('RIFF'),
      u32(0),
      ascii('WAVE'),
      ...chunks.flatMap(([id, size, body]) => [ascii(id), u32(size), body]),
    ]),
  );

function checkOne(bytes: Uint8Array): void {
  try {
    parseWav(bytes);
  } catch (err) {
    // its own refusals say what is wrong with the WAV; a RangeError or TypeError is a crash
    if (!(err instanceof Error) || err.constructor !== Error || !/WAV/.test(err.message)) throw err;
  }
}

describe('fuzz: WAV', () => {
  it(
    'arbitrary bytes and broken chunk lists are refused with a WAV error',
    () => {
      fc.assert(fc.property(fc.oneof(fc.uint8Array({ maxLength: 100 }), wavish), checkOne), {
        numRuns: Number.MAX_SAFE_INTEGER,
        interruptAfterTimeLimit: FUZZ_MS,
      });
    },
    FUZZ_MS + 60_000,
  );

  it('regression: a fmt chunk cut short is a WAV error, not a RangeError (found by the fuzzer)', () => {
    const cut = Buffer.concat([ascii('RIFF'), u32(0), ascii('WAVE'), ascii('fmt '), u32(16), Uint8Array.of(1, 0)]);
    expect(() => parseWav(cut)).toThrow(/WAV/);
  });
});
