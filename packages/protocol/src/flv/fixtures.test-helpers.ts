// Test-only helpers (not exported from the package): load the golden fixtures next to this file.
import { readFileSync } from 'node:fs';

export const fixtureNames = ['av', 'video-only'] as const;
export type FixtureName = (typeof fixtureNames)[number];

export interface ProbedPacket {
  codec_type: 'video' | 'audio';
  pts: number;
  dts: number;
  size: string;
  flags: string;
}

export const fixtureUrl = (name: FixtureName): URL => new URL(`./fixtures/${name}.flv`, import.meta.url);

export const readFixture = (name: FixtureName): Uint8Array => new Uint8Array(readFileSync(fixtureUrl(name)));

export function readProbedPackets(name: FixtureName): ProbedPacket[] {
  const json = JSON.parse(readFileSync(new URL(`./fixtures/${name}.packets.json`, import.meta.url), 'utf8')) as {
    packets: ProbedPacket[];
  };
  return json.packets;
}
