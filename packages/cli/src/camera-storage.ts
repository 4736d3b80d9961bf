/**
 * The camera's storage flags, shared by `xp2p device` and `xp2p demo`: where recordings go (recorded by
 * default, so playback and downloads work right after `npm start`), where talkback audio goes, and the
 * handler for custom commands.
 */
import { join } from 'node:path';
import {
  commandVoiceSink,
  loadCommandHandler,
  RecordingsStore,
  wavFileVoiceSink,
  type DeviceAgentOptions,
} from '@xp2p/device';

export const cameraStorageOptions = {
  recordings: { type: 'string' },
  'segment-seconds': { type: 'string' },
  'no-record': { type: 'boolean', default: false },
  'voice-dir': { type: 'string' },
  'voice-cmd': { type: 'string' },
  commands: { type: 'string' },
} as const;

export interface CameraStorageFlags {
  data: string;
  recordings?: string;
  'segment-seconds'?: string;
  'no-record'?: boolean;
  'voice-dir'?: string;
  'voice-cmd'?: string;
  commands?: string;
}

/**
 * `channels`: the camera's channel numbers. Channel 0 records into the recordings directory itself (as a
 * one-channel camera always did), channel N into its `channel-N` folder.
 */
export async function cameraStorage(
  flags: CameraStorageFlags,
  device: { productId: string; deviceName: string },
  log: (line: string) => void,
  channels: readonly number[] = [0],
): Promise<
  Pick<DeviceAgentOptions, 'recordings' | 'channelRecordings' | 'record' | 'voiceSink' | 'onCommand'> & {
    describe: string;
  }
> {
  const recordingsDir = flags.recordings ?? join(flags.data, 'recordings', `${device.productId}_${device.deviceName}`);
  const voiceDir = flags['voice-dir'] ?? join(flags.data, 'voice', `${device.productId}_${device.deviceName}`);
  const recordings = await RecordingsStore.open(recordingsDir, { log });
  const channelRecordings = new Map<number, RecordingsStore>();
  for (const channel of new Set(channels)) {
    if (channel === 0) continue;
    channelRecordings.set(channel, await RecordingsStore.open(join(recordingsDir, `channel-${channel}`), { log }));
  }
  const segmentSeconds = flags['segment-seconds'] !== undefined ? Number(flags['segment-seconds']) : undefined;
  return {
    recordings,
    channelRecordings,
    record: flags['no-record'] ? false : { segmentSeconds },
    voiceSink: flags['voice-cmd'] ? commandVoiceSink(flags['voice-cmd'], log) : wavFileVoiceSink(voiceDir),
    onCommand: flags.commands ? await loadCommandHandler(flags.commands) : undefined,
    describe: `recordings ${recordingsDir}${flags['no-record'] ? ' (not recording)' : ''}, talkback ${flags['voice-cmd'] ? `→ ${flags['voice-cmd']}` : `→ ${voiceDir}`}`,
  };
}
