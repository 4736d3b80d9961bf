/** What a peer connection's getStats() says about the path in use. */
import { candidateType } from '../../sdp.js';
import type { PeerConnectionLike } from '../../transport.js';

/**
 * The ICE path in use, once known: host, srflx, prflx or relay. The transport's selectedCandidatePairId is
 * the standard answer (Chromium and the node-datachannel polyfill both give it); a nominated, succeeded pair
 * stands in where a browser leaves it out.
 */
export async function selectedPath(pc: PeerConnectionLike): Promise<string | undefined> {
  try {
    const stats = await pc.getStats();
    let pairId: string | undefined;
    stats.forEach((s) => {
      if (s.type === 'transport' && typeof s.selectedCandidatePairId === 'string') pairId = s.selectedCandidatePairId;
    });
    let pairLocal: string | undefined;
    stats.forEach((s) => {
      const chosen = pairId ? s.id === pairId : (s.selected || s.nominated) && s.state === 'succeeded';
      if (s.type === 'candidate-pair' && chosen) pairLocal = s.localCandidateId as string;
    });
    let type: string | undefined;
    stats.forEach((s) => {
      if (s.id === pairLocal) type = (s.candidateType as string) ?? candidateType(String(s.candidate ?? ''));
    });
    return type;
  } catch {
    return undefined;
  }
}

/** Bytes received by the peer connection's transport, or undefined when it does not say. */
export async function transportBytesReceived(pc: PeerConnectionLike): Promise<number | undefined> {
  try {
    let bytes: number | undefined;
    (await pc.getStats()).forEach((s) => {
      if (s.type === 'transport' && typeof s.bytesReceived === 'number') bytes = (bytes ?? 0) + s.bytesReceived;
    });
    return bytes;
  } catch {
    return undefined;
  }
}
