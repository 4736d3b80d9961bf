/** What whole-system tests wait for on an origin: a published stream's first chunks. */
import { streamManifestSchema } from '@xp2p/protocol';
import { waitUntil } from '@xp2p/testing';

/** GETs a URL's JSON body, or undefined when the answer is not 200 (global fetch by default). */
export type JsonGet = (url: string) => Promise<unknown>;

const fetchJson: JsonGet = async (url) => {
  const res = await fetch(url);
  return res.ok ? await res.json() : (await res.body?.cancel(), undefined);
};

/**
 * Waits until the origin at `serverUrl` lists at least `count` chunks of stream `name` in its manifest, so
 * a viewer that joins now finds a start chunk instead of racing the publisher's first keyframe.
 */
export async function waitForChunks(
  serverUrl: string,
  name: string,
  o: { count?: number; get?: JsonGet; timeoutMs?: number } = {},
): Promise<void> {
  const { count = 1, get = fetchJson, timeoutMs = 15_000 } = o;
  const url = `${serverUrl}/live/${name}/manifest.json`;
  await waitUntil(
    async () => {
      const body = await get(url);
      return body !== undefined && streamManifestSchema.parse(body).chunks.length >= count;
    },
    { timeoutMs, intervalMs: 100, what: `${count} chunk(s) of ${name} in ${url}` },
  );
}
