/**
 * A list of signalling server base URLs for cameras and viewers: several nodes of one cluster (any node
 * serves any device or viewer, Redis routes between them), or one URL behind a load balancer. Clients
 * keep using the node that worked and move to the next one when it fails or drops, backing off only
 * once every node of the list has failed in a row, so a dead node costs one quick hop, not a timeout.
 */

/** `"http://a:1,http://b:2"` or an array of the same; each an http(s) or ws(s) URL. Throws on a bad entry. */
export function parseServerUrls(input: string | readonly string[]): string[] {
  const parts = (typeof input === 'string' ? input.split(',') : [...input]).map((u) => u.trim()).filter(Boolean);
  if (parts.length === 0) throw new Error('no server URL given');
  for (const url of parts) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new Error(`not a URL: ${JSON.stringify(url)}`);
    }
    if (!/^(https?|wss?):$/.test(parsed.protocol)) throw new Error(`server URL must be http(s) or ws(s): ${url}`);
  }
  return parts.map((u) => u.replace(/\/$/, ''));
}

/** The WebSocket URL for `path` (e.g. `/signal/device`) on a server base URL. */
export const webSocketUrl = (base: string, path: string): string =>
  `${base.replace(/^http/, 'ws').replace(/\/$/, '')}${path}`;

export class ServerRotation {
  readonly urls: readonly string[];
  private index = 0;
  /** attempts that failed since the last success */
  private failuresInARow = 0;

  constructor(input: string | readonly string[]) {
    this.urls = parseServerUrls(input);
  }

  /** the node to try (or keep using) now */
  get current(): string {
    return this.urls[this.index]!;
  }

  /** a connection to `current` worked: stay with it, and forget the failures */
  succeeded(): void {
    this.failuresInARow = 0;
  }

  /**
   * `current` failed or dropped: move to the next node. Returns how many whole rounds of the list have
   * failed in a row (0 while untried nodes remain), the exponent for the caller's back-off.
   */
  failed(): number {
    this.failuresInARow++;
    this.index = (this.index + 1) % this.urls.length;
    return Math.floor((this.failuresInARow - 1) / this.urls.length);
  }
}
