/** FLV demux and AMF0 against arbitrary bytes: a publisher or a camera file can hold anything. */
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { concatBytes } from '../bytes.js';
import { decodeScriptData, encodeScriptData } from '../flv/amf0.js';
import { FlvDemuxer, parseFlv } from '../flv/demux.js';
import { encodeFlvHeader, encodeFlvTag } from '../flv/mux.js';
import { FLV_TAG_AUDIO, FLV_TAG_SCRIPT, FLV_TAG_VIDEO, FlvFormatError, type FlvTag } from '../flv/tag.js';
import { FUZZ_TEST_TIMEOUT, fuzzRuns, onlyThrows } from './budget.test-support.js';

const tagArb: fc.Arbitrary<FlvTag> = fc.record({
  type: fc.constantFrom(FLV_TAG_AUDIO, FLV_TAG_VIDEO, FLV_TAG_SCRIPT),
  timestamp: fc.integer({ min: 0, max: 0xffffffff }),
  data: fc.uint8Array({ maxLength: 300 }),
});
const flvHeaderBytes = encodeFlvHeader({ audio: true, video: true });
/** Bytes that start like FLV, so the fuzzer reaches the tag parser rather than the signature check. */
const flvishBytes = fc
  .array(fc.oneof(tagArb.map(encodeFlvTag), fc.uint8Array({ maxLength: 40 })), { maxLength: 8 })
  .map((parts) => concatBytes([flvHeaderBytes, ...parts]));

/** Splits bytes at arbitrary points, as network reads do. */
const splitsOf = (bytes: Uint8Array, cuts: number[]): Uint8Array[] => {
  const points = [...new Set(cuts.map((c) => c % (bytes.byteLength + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let at = 0;
  for (const p of points) {
    out.push(bytes.subarray(at, p));
    at = p;
  }
  out.push(bytes.subarray(at));
  return out;
};

describe('fuzz: FLV', () => {
  it(
    'parseFlv and the streaming demuxer refuse bad bytes only with FlvFormatError, and agree',
    () => {
      fc.assert(
        fc.property(
          fc.oneof(fc.uint8Array({ maxLength: 600 }), flvishBytes),
          fc.array(fc.nat(), { maxLength: 6 }),
          (bytes, cuts) => {
            let whole: FlvTag[] | undefined;
            onlyThrows(() => (whole = parseFlv(bytes).tags), FlvFormatError);
            const demuxer = new FlvDemuxer();
            const streamed: FlvTag[] = [];
            onlyThrows(() => {
              for (const part of splitsOf(bytes, cuts)) streamed.push(...demuxer.push(part));
            }, FlvFormatError);
            // every tag of a valid file comes out the same however the bytes were cut
            if (whole && streamed.length !== whole.length) throw new Error('demuxer and parseFlv disagree');
          },
        ),
        fuzzRuns(),
      );
    },
    FUZZ_TEST_TIMEOUT,
  );

  it(
    'what the muxer writes parses back to the same tags',
    () => {
      fc.assert(
        fc.property(fc.array(tagArb, { maxLength: 10 }), (tags) => {
          const bytes = concatBytes([flvHeaderBytes, ...tags.map(encodeFlvTag)]);
          const back = parseFlv(bytes).tags;
          if (back.length !== tags.length) throw new Error('tag count changed');
          back.forEach((t, i) => {
            const want = tags[i]!;
            if (t.type !== want.type || t.timestamp !== want.timestamp || !Buffer.from(t.data).equals(want.data))
              throw new Error(`tag ${i} changed`);
          });
        }),
        fuzzRuns(),
      );
    },
    FUZZ_TEST_TIMEOUT,
  );

  it(
    'AMF0 script data: arbitrary bytes throw only FlvFormatError; written records read back',
    () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
          onlyThrows(() => decodeScriptData(bytes), FlvFormatError);
        }),
        fuzzRuns(),
      );
      const key = fc.string({ minLength: 1, maxLength: 20 });
      const value = fc.oneof(fc.double({ noNaN: true }), fc.boolean(), fc.string({ maxLength: 30 }));
      fc.assert(
        fc.property(fc.string({ maxLength: 20 }), fc.dictionary(key, value, { maxKeys: 8 }), (name, record) => {
          const back = decodeScriptData(encodeScriptData(name, record));
          if (back.name !== name) throw new Error('name changed');
          for (const [k, v] of Object.entries(record)) {
            const got = (back.value as Record<string, unknown>)[k];
            if (!Object.is(got, v)) throw new Error(`${k}: ${String(v)} read back as ${String(got)}`);
          }
        }),
        fuzzRuns(),
      );
    },
    FUZZ_TEST_TIMEOUT * 2,
  );
});
