/** Text side of the peer wire: encode, and size-check + schema-check what neighbours send. */
import { peerMessageSchema, type PeerMessage } from '@xp2p/protocol';

export function encodePeerMessage(msg: PeerMessage): string {
  return JSON.stringify(msg);
}

export function parsePeerMessage(text: string, maxBytes: number): PeerMessage | undefined {
  if (text.length > maxBytes) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  const parsed = peerMessageSchema.safeParse(json);
  return parsed.success ? parsed.data : undefined;
}

/** Held chunk numbers → inclusive ranges for `hello`, newest ranges kept when over the limit. */
export function toRanges(seqs: Iterable<number>, maxRanges = 256): Array<[number, number]> {
  const sorted = [...seqs].sort((a, b) => a - b);
  const out: Array<[number, number]> = [];
  for (const s of sorted) {
    const last = out[out.length - 1];
    if (last && s === last[1] + 1) last[1] = s;
    else out.push([s, s]);
  }
  return out.slice(-maxRanges);
}
