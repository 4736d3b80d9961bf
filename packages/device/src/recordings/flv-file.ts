/**
 * Reads FLV files from disk a chunk at a time, so a long recording is never held in memory whole:
 * a tag stream for playback, and a summary (duration, tracks) for indexing files found in the store.
 */
import { open } from 'node:fs/promises';
import { FlvDemuxer, isScriptTag, isSequenceHeader, type FlvHeaderFlags, type FlvTag } from '@xp2p/protocol';

const READ_BYTES = 256 * 1024;

export interface FlvFileSummary {
  header: FlvHeaderFlags;
  /** Timestamp of the first and last media (audio/video) tag, ms in the file's own timeline. */
  firstMs: number;
  lastMs: number;
  /** lastMs - firstMs: how long the file plays. */
  durationMs: number;
  mediaTags: number;
}

/**
 * Yields the file's tags in order (after its header, which goes to `onHeader`). Stops reading and closes
 * the file as soon as the consumer stops iterating. A truncated last tag (a recording cut by a power loss)
 * ends the stream quietly; corruption before it throws FlvFormatError.
 */
export async function* readFlvTags(path: string, onHeader?: (flags: FlvHeaderFlags) => void): AsyncGenerator<FlvTag> {
  const file = await open(path, 'r');
  try {
    const demuxer = new FlvDemuxer();
    let headerSeen = false;
    for (;;) {
      const buf = new Uint8Array(READ_BYTES);
      const { bytesRead } = await file.read(buf, 0, READ_BYTES, null);
      if (bytesRead === 0) return;
      const tags = demuxer.push(buf.subarray(0, bytesRead));
      if (!headerSeen && demuxer.header) {
        headerSeen = true;
        onHeader?.(demuxer.header);
      }
      for (const tag of tags) yield tag;
    }
  } finally {
    await file.close();
  }
}

/** Summarises an FLV file, or returns undefined if it is not one or holds no audio/video. */
export async function summarizeFlvFile(path: string): Promise<FlvFileSummary | undefined> {
  let header: FlvHeaderFlags | undefined;
  let firstMs: number | undefined;
  let lastMs = 0;
  let mediaTags = 0;
  try {
    for await (const tag of readFlvTags(path, (h) => (header = h))) {
      if (isScriptTag(tag) || isSequenceHeader(tag)) continue;
      firstMs ??= tag.timestamp;
      lastMs = Math.max(lastMs, tag.timestamp);
      mediaTags++;
    }
  } catch {
    return undefined;
  }
  if (!header || firstMs === undefined) return undefined;
  return { header, firstMs, lastMs, durationMs: lastMs - firstMs, mediaTags };
}
