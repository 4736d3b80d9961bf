/**
 * The server's 1vN stream list (`GET /api/streams`, unsigned and read-only) and the live URL of a stream.
 * Names are what the publisher chose; the list is what a "Live rooms" page shows.
 */
import { serverUrl } from './web-api.js';
import { ApiError } from './sdk.js';

export interface StreamSummary {
  stream: string;
  /** a publisher is sending right now */
  live: boolean;
  /** peers in the swarm now */
  peers: number;
  p2pBytes: number;
  cdnBytes: number;
  bitrateKbps: number;
}

/** The origin's live FLV url of a stream: what the sdk's startP2PService takes for 1vN. */
export const roomStreamUrl = (name: string): string => `${serverUrl()}/live/${encodeURIComponent(name)}.flv`;

export async function listStreams(): Promise<StreamSummary[]> {
  const url = `${serverUrl()}/api/streams`;
  let res: Response;
  try {
    res = await fetch(url, { cache: 'no-store' });
  } catch (err) {
    throw new ApiError(0, `${serverUrl()}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const json = (await res.json().catch(() => ({}))) as { streams?: StreamSummary[]; error?: { message?: string } };
  if (!res.ok || !Array.isArray(json.streams)) {
    throw new ApiError(res.status, json.error?.message ?? `server answered ${res.status}`);
  }
  return json.streams;
}
