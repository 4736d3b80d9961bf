/** Test helper: what ffmpeg says when it decodes a file fully ('' = it decoded cleanly). */
import { execFile } from 'node:child_process';

// Decode every frame, keeping the stream's own millisecond timestamps: with the default 1/fps encoder
// time base, ffmpeg rounds 33/34 ms frame steps into false "non monotonically increasing dts" errors.
const DECODE_CHECK_ARGS = ['-fps_mode', 'passthrough', '-enc_time_base', '-1', '-f', 'null', '-'];

export function ffmpegDecodeErrors(file: string): Promise<string> {
  return new Promise((resolve) => {
    execFile('ffmpeg', ['-v', 'error', '-i', file, ...DECODE_CHECK_ARGS], (err, _out, stderr) =>
      resolve(err ? `exit ${String(err.code)}: ${stderr}` : stderr),
    );
  });
}
