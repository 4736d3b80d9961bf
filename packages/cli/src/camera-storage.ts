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

export async function cameraStorage(
  flags: CameraStorageFlags,
  device: { productId: string; deviceName: string },
  log: (line: string) => void,
): Promise<Pick<DeviceAgentOptions, 'recordings' | 'record' | 'voiceSink' | 'onCommand'> & { describe: string }> {
  const recordingsDir = flags.recordings ?? join(flags.data, 'recordings', `${device.productId}_${device.deviceName}`);
  const voiceDir = flags['voice-dir'] ?? join(flags.data, 'voice', `${device.productId}_${device.deviceName}`);
  const recordings = await RecordingsStore.open(recordingsDir, { log });
  const segmentSeconds = flags['segment-seconds'] !== undefined ? Number(flags['segment-seconds']) : undefined;
  return {
    recordings,
    record: flags['no-record'] ? false : { segmentSeconds },
    voiceSink: flags['voice-cmd'] ? commandVoiceSink(flags['voice-cmd'], log) : wavFileVoiceSink(voiceDir),
    onCommand: flags.commands ? await loadCommandHandler(flags.commands) : undefined,
    describe: `recordings ${recordingsDir}${flags['no-record'] ? ' (not recording)' : ''}, talkback ${flags['voice-cmd'] ? `→ ${flags['voice-cmd']}` : `→ ${voiceDir}`}`,
  };
}
