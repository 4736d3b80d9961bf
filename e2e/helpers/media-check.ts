/** Verifies delivered media the way a user would notice: does it decode, how many frames, in order? */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface ProbedPacket {
  codec_type: 'video' | 'audio';
  pts_time?: string;
  dts_time?: string;
  flags?: string;
}

/** ffprobe's packet list; throws if ffprobe reports an error. */
export async function probePackets(file: string): Promise<ProbedPacket[]> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-show_packets', '-of', 'json', file], {
    maxBuffer: 64 * 1024 * 1024,
  });
  return (JSON.parse(stdout) as { packets?: ProbedPacket[] }).packets ?? [];
}

/** Decodes every frame with ffmpeg; returns its error output (empty when everything decoded). */
export async function decodeErrors(file: string): Promise<string> {
  try {
    const { stderr } = await run('ffmpeg', ['-v', 'error', '-i', file, '-f', 'null', '-'], { maxBuffer: 16 * 1024 * 1024 });
    return stderr.trim();
  } catch (err) {
    return String((err as { stderr?: string }).stderr ?? err);
  }
}
