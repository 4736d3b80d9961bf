/** Reads a long-lived HTTP response (HTTP-FLV) for a while, as a player would, and returns what arrived. */
export async function readFor(url: string, ms: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  const abort = new AbortController();
  const cut = setTimeout(() => abort.abort(), ms);
  try {
    const res = await fetch(url, { signal: abort.signal });
    if (!res.ok) throw new Error(`${url}: HTTP ${res.status} ${await res.text()}`);
    for await (const part of res.body!) parts.push(Buffer.from(part));
  } catch (err) {
    if (!abort.signal.aborted) throw err;
  } finally {
    clearTimeout(cut);
  }
  return Buffer.concat(parts);
}
