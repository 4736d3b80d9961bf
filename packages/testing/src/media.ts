/**
 * Checks delivered media the way a user would notice: does it decode, how many frames, in order? One
 * decode check for every test (unit and e2e), so all judge a file by the same ffmpeg arguments.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

// Decode every frame, keeping the stream's own millisecond timestamps: with the default 1/fps encoder
// time base, ffmpeg rounds 33/34 ms frame steps into false "non monotonically increasing dts" errors.
const DECODE_CHECK_ARGS = ['-fps_mode', 'passthrough', '-enc_time_base', '-1', '-f', 'null', '-'];

const run = promisify(execFile);

export interface ProbedPacket {
  codec_type: 'video' | 'audio';
  pts_time?: string;
  dts_time?: string;
  flags: string;
}

/** ffprobe's packet list; throws if ffprobe reports an error. */
export async function probePackets(file: string): Promise<ProbedPacket[]> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-show_packets', '-of', 'json', file], {
    maxBuffer: 64 * 1024 * 1024,
  });
  return (JSON.parse(stdout) as { packets?: ProbedPacket[] }).packets ?? [];
}

/** Decodes every frame with ffmpeg; returns what it reported ('' when everything decoded cleanly). */
export async function decodeErrors(file: string): Promise<string> {
  try {
    const { stderr } = await run('ffmpeg', ['-v', 'error', '-i', file, ...DECODE_CHECK_ARGS], {
      maxBuffer: 16 * 1024 * 1024,
    });
    return stderr.trim();
  } catch (err) {
    const e = err as { code?: unknown; stderr?: string };
    return `exit ${String(e.code)}: ${e.stderr ?? String(err)}`;
  }
}

export interface FlvProbe {
  packets: ProbedPacket[];
  /** what ffmpeg printed while decoding every frame ('' = clean) */
  decodeErrors: string;
}

/** Decodes FLV bytes with ffmpeg and lists their packets with ffprobe (through a temporary file). */
export async function probeFlv(bytes: Uint8Array): Promise<FlvProbe> {
  const dir = mkdtempSync(join(tmpdir(), 'xp2p-probe-'));
  try {
    const file = join(dir, 'in.flv');
    writeFileSync(file, bytes);
    return { decodeErrors: await decodeErrors(file), packets: await probePackets(file) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A live recording stopped at an arbitrary moment ends mid-tag; returns the prefix of whole tags
 * (a player would simply stop there too).
 */
export function wholeTags(b: Uint8Array): Uint8Array {
  let o = 13;
  let end = Math.min(13, b.length);
  while (o + 11 <= b.length) {
    const size = (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!;
    if (o + 11 + size + 4 > b.length) break;
    o += 11 + size + 4;
    end = o;
  }
  return b.subarray(0, end);
}

/** Reads a recorded FLV file, trims it to whole tags and writes it back for ffprobe/ffmpeg. */
export function trimToWholeTags(file: string): Uint8Array {
  const bytes = wholeTags(new Uint8Array(readFileSync(file)));
  writeFileSync(file, bytes);
  return bytes;
}
