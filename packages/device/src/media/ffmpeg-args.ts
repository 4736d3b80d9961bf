/** Builds the ffmpeg command line for FfmpegSource (kept apart so it can be read and tested alone). */

export interface FfmpegArgsOptions {
  /** Re-encode to H.264/AAC (always true for 'testsrc'); false copies streams that already are. */
  encode?: boolean;
  /** Extra input options, placed just before `-i <input>`. */
  inputArgs?: string[];
  /** Extra output options, placed just before `-f flv pipe:1`. */
  extraArgs?: string[];
}

/** The generated test pattern with a tone, for demos without a camera. */
export const TESTSRC_INPUT = 'testsrc';

/** Low-latency settings: 1 s GOPs so a new viewer waits at most a second for a keyframe. */
const H264_AAC = [
  ...['-c:v', 'libx264', '-preset', 'veryfast', '-tune', 'zerolatency', '-g', '30', '-pix_fmt', 'yuv420p'],
  ...['-c:a', 'aac', '-ar', '44100'],
];

const isUrl = (input: string): boolean => /^[a-z][a-z0-9+.-]*:\/\//i.test(input);

export function ffmpegArgs(input: string, options: FfmpegArgsOptions = {}): string[] {
  const args = ['-hide_banner', '-nostdin', '-loglevel', 'error'];
  if (input === TESTSRC_INPUT) {
    args.push(
      ...['-re', '-f', 'lavfi', '-i', 'testsrc=size=640x360:rate=30'],
      ...['-re', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=44100'],
      ...(options.inputArgs ?? []),
      ...['-map', '0:v', '-map', '1:a'],
      ...H264_AAC,
    );
  } else {
    // Files would otherwise be read as fast as possible; network streams are already real-time.
    if (!isUrl(input) || input.startsWith('file://')) args.push('-re');
    // RTSP over the control connection (interleaved TCP): no UDP ports to open, no lost packets, and a camera
    // that goes away closes the connection, so ffmpeg ends at once and the source is reopened.
    if (/^rtsps?:\/\//i.test(input)) args.push('-rtsp_transport', 'tcp');
    args.push(...(options.inputArgs ?? []), '-i', input, '-map', '0:v:0', '-map', '0:a:0?');
    args.push(...(options.encode ? H264_AAC : ['-c', 'copy']));
  }
  // no_duration_filesize: stdout cannot seek back to patch the header, so do not try.
  args.push(...(options.extraArgs ?? []), '-flvflags', 'no_duration_filesize', '-f', 'flv', 'pipe:1');
  return args;
}
