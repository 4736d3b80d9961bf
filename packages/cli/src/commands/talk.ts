/** `xp2p talk <productId>/<deviceName> <file.wav>`: plays a 16-bit PCM WAV to the camera in real time. */
import { parseArgs } from 'node:util';
import { WavFileRecorder } from '@xp2p/sdk/node';
import { CLI_DEFAULTS, commonOptions, UsageError } from '../args.js';
import { connectToCamera } from '../camera-connection.js';

export async function talkCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { ...commonOptions } });
  const wav = positionals[1];
  if (!wav) throw new UsageError('give a 16-bit PCM WAV file to talk with');
  const format = await WavFileRecorder.formatOf(wav);
  const camera = await connectToCamera(values, positionals[0]);
  try {
    const recorder = new WavFileRecorder(wav);
    const stopped = new Promise<void>((resolve) => {
      void camera.p2p
        .startVoiceService(camera.id, recorder, { format: 'PCM', ...format }, { onStop: () => resolve() })
        .then((code) => {
          if (code !== 0) {
            console.error(`talkback refused (${code}): ${camera.p2p.lastError(camera.id) ?? ''}`);
            process.exitCode = 1;
            resolve();
          } else console.log(`talking: ${wav} (${format.sampleRate} Hz, ${format.numberOfChannels} ch)`);
        });
    });
    await stopped;
    await new Promise((r) => setTimeout(r, CLI_DEFAULTS.talkDrainMs));
    if (!process.exitCode) console.log('done');
  } finally {
    camera.close();
  }
}
