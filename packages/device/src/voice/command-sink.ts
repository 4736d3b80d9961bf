/**
 * Pipes each talk into a program's stdin (`--voice-cmd`), started per talk through `sh -c`, e.g.
 *   ffplay -nodisp -autoexit -f s16le -ar {sample_rate} -ch_layout mono -i -
 * `{sample_rate}`, `{channels}` and `{bits}` in the command line are replaced by the talk's format, which
 * is also in the environment as XP2P_SAMPLE_RATE, XP2P_CHANNELS and XP2P_BITS.
 */
import { killGroup, spawnShellGroup } from '../process/process-group.js';
import type { VoiceFormat, VoiceSink, VoiceStream } from './voice-sink.js';
import { DEVICE_DEFAULTS } from '../defaults.js';

/** Audio the program has not read yet beyond this is dropped: talk must stay live, not queue up. */
const MAX_STDIN_BACKLOG_BYTES = 1024 * 1024;

export function commandVoiceSink(commandLine: string, log: (line: string) => void = () => {}): VoiceSink {
  return {
    open(format: VoiceFormat): VoiceStream {
      const line = commandLine
        .replaceAll('{sample_rate}', String(format.sampleRate))
        .replaceAll('{channels}', String(format.channels))
        .replaceAll('{bits}', String(format.bits));
      const child = spawnShellGroup(line, {
        stdio: ['pipe', 'ignore', 'inherit'],
        env: {
          ...process.env,
          XP2P_SAMPLE_RATE: String(format.sampleRate),
          XP2P_CHANNELS: String(format.channels),
          XP2P_BITS: String(format.bits),
        },
      });
      let exited = false;
      const exit = new Promise<void>((resolve) => {
        child.on('exit', () => resolve());
        child.on('error', (err) => {
          log(`voice command failed: ${err.message}`);
          resolve();
        });
      }).then(() => {
        exited = true;
      });
      child.stdin!.on('error', () => {}); // the program may quit before the talk ends (EPIPE)
      return {
        write(pcm) {
          if (exited || child.stdin!.writableLength > MAX_STDIN_BACKLOG_BYTES) return;
          child.stdin!.write(pcm);
        },
        async close() {
          child.stdin!.end();
          const timer = setTimeout(() => killGroup(child, 'SIGTERM'), DEVICE_DEFAULTS.voiceCommandExitGraceMs);
          await exit;
          clearTimeout(timer);
          killGroup(child); // whatever the player started dies with the talk
        },
      };
    },
  };
}
