/**
 * Test helper: records the bundled sample (10 s, 1 s GOP) into a store without waiting in real time —
 * its tags are pushed straight into a LiveHub, and the recorder's clock follows the media clock.
 */
import { readFileSync } from 'node:fs';
import {
  isAvcEndOfSequence,
  isScriptTag,
  isSequenceHeader,
  parseFlv,
  withTimestamp,
  type FlvTag,
} from '@xp2p/protocol';
import {
  bundledSamplePath,
  LiveHub,
  RecordingsStore,
  SegmentRecorder,
  type RecordingsStoreOptions,
} from '@xp2p/device';

export const sampleTags: FlvTag[] = parseFlv(new Uint8Array(readFileSync(bundledSamplePath()))).tags.filter(
  (t) => !isAvcEndOfSequence(t),
);

/** One pass of the sample: exactly 300 frames at 30 fps, so later passes stay on the same frame grid. */
const PASS_MS = 10_000;

/** The sample's tags, played `passes` times back to back on one continuous timeline. */
export function loopedSample(passes: number): FlvTag[] {
  // The audio that runs past the last picture is dropped, so no pass overlaps the next.
  const media = sampleTags.filter((t) => !isScriptTag(t) && !isSequenceHeader(t) && t.timestamp < PASS_MS);
  const config = sampleTags.filter((t) => isScriptTag(t) || isSequenceHeader(t));
  const length = PASS_MS;
  const out: FlvTag[] = [...config];
  let last = 0;
  for (let p = 0; p < passes; p++) {
    for (const t of media) {
      last = Math.max(last, t.timestamp + p * length);
      out.push(withTimestamp(t, last));
    }
  }
  return out;
}

/**
 * Records `passes` × 10 s of the sample starting at unix second `startS` into a store in `dir`, cut every
 * `segmentSeconds`. Returns the opened store.
 */
export async function recordSample(
  dir: string,
  o: { startS: number; passes?: number; segmentSeconds?: number; store?: RecordingsStoreOptions },
): Promise<RecordingsStore> {
  let mediaNow = 0;
  const now = () => o.startS * 1000 + mediaNow;
  const store = await RecordingsStore.open(dir, { now, ...o.store });
  const hub = new LiveHub();
  const recorder = new SegmentRecorder(hub, store, { segmentSeconds: o.segmentSeconds ?? 4, now });
  recorder.start();
  for (const tag of loopedSample(o.passes ?? 1)) {
    mediaNow = tag.timestamp;
    hub.onTag(tag);
  }
  await recorder.stop();
  hub.close();
  return store;
}
