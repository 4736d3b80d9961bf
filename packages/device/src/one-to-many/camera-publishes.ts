/**
 * 1v1 → 1vN on the camera: when its live viewer cap is reached, a viewer that allows it (`xp2p_1vn=1` in
 * its live request) is answered 503 with the name of a 1vN stream of the same channel and quality, which
 * the camera publishes to the origin of the node it is logged in to. One publish per channel and quality
 * however many viewers it serves (they share it over the swarm), started on demand; the server ends it
 * once nobody watches it (server/src/origin/camera-streams.ts) and the camera stops uploading.
 * The stream's name and publish key come from the camera's own secret (protocol/src/auth/camera-stream.ts):
 * nothing to ask the server, and nothing another device or a viewer could publish with.
 */
import type { ClientRequest } from 'node:http';
import {
  CAMERA_DEVICE_HEADER,
  newCameraStream,
  PUBLISH_KEY_HEADER,
  streamPublicKey,
  type LiveQuality,
} from '@xp2p/protocol';
import type { LiveFeed } from '../live-streams.js';
import type { ServerTrust } from '../server-trust.js';
import { originRequest } from './origin-request.js';

export interface CameraPublishesOptions {
  /** "productId/deviceName" */
  device: string;
  secret: string;
  /** base URL of the node the camera is logged in to (its origin) */
  serverUrl: () => string;
  trust: ServerTrust;
  /** how long a viewer waits for a new publish to have its first chunk on the origin */
  liveWaitMs: number;
  /** how often the origin is asked whether the stream has its first chunk */
  livePollMs: number;
  /**
   * 1vN publishes at once (of different channels or qualities): a viewer who asks for yet another gets the
   * plain 503, so viewers cannot make a full camera upload every stream it has.
   */
  maxPublishes: number;
  log: (line: string) => void;
}

/** A 1vN stream the camera offers a viewer: its name and its public key (the viewer checks records with it). */
export interface OneToManyOffer {
  stream: string;
  publicKey: string;
}

interface Publish {
  offer: OneToManyOffer;
  /** resolves true once the origin serves the stream (its first chunk is cut), false when it failed */
  servable: Promise<boolean>;
  stop(why: string): void;
}

export class CameraPublishes {
  readonly #o: CameraPublishesOptions;
  /** by "channel:quality" */
  readonly #running = new Map<string, Publish>();
  #started = 0;
  #closed = false;

  constructor(o: CameraPublishesOptions) {
    this.#o = o;
  }

  /** 1vN streams being uploaded now. */
  get publishing(): number {
    return this.#running.size;
  }

  /** 1vN publishes started since the camera started. */
  get started(): number {
    return this.#started;
  }

  /**
   * The 1vN stream of this channel and quality, publishing it first if none runs; undefined when it cannot
   * be served (the origin refused it, or it had no chunk within liveWaitMs). Never throws.
   */
  async offer(channel: number, quality: LiveQuality, feed: LiveFeed): Promise<OneToManyOffer | undefined> {
    if (this.#closed) return undefined;
    const key = `${channel}:${quality}`;
    let publish = this.#running.get(key);
    if (!publish) {
      if (this.#running.size >= this.#o.maxPublishes) return undefined;
      publish = this.#start(key, feed);
      this.#running.set(key, publish);
    }
    return (await publish.servable) ? publish.offer : undefined;
  }

  closeAll(why: string): void {
    this.#closed = true;
    for (const publish of [...this.#running.values()]) publish.stop(why);
  }

  #start(key: string, feed: LiveFeed): Publish {
    const { device, log } = this.#o;
    this.#started++;
    let request: ClientRequest | undefined;
    let unsubscribe: (() => void) | undefined;
    let ended = false;
    let markServable: (ok: boolean) => void = () => {};
    const servable = new Promise<boolean>((resolve) => (markServable = resolve));
    const publish: Publish = {
      offer: { stream: '', publicKey: '' },
      servable,
      stop: (why) => {
        if (ended) return;
        ended = true;
        markServable(false);
        unsubscribe?.();
        request?.destroy();
        if (this.#running.get(key) === publish) this.#running.delete(key);
        log(`${device}: 1vN stream of ${key} stopped (${why})`);
      },
    };
    void (async () => {
      const stream = await newCameraStream(this.#o.secret, device);
      publish.offer = { stream: stream.name, publicKey: await streamPublicKey(stream.key, stream.name) };
      const base = this.#o.serverUrl();
      const url = new URL(`/live/${stream.name}`, base);
      request = await originRequest(url, this.#o.trust, 'POST', {
        'content-type': 'video/x-flv',
        [PUBLISH_KEY_HEADER]: stream.key,
        [CAMERA_DEVICE_HEADER]: device,
      });
      if (ended) return void request.destroy();
      const req = request;
      req.on('response', (res) => {
        res.resume();
        publish.stop(`the origin answered ${res.statusCode ?? '?'}`);
      });
      req.on('error', (err) => publish.stop(`publish failed: ${err.message}`));
      req.on('close', () => publish.stop('publish connection closed'));
      unsubscribe = feed.subscribe({
        write: (bytes) => void req.write(bytes),
        // a slow uplink makes the camera's live hub skip to the next keyframe, as for a slow viewer
        bufferedAmount: () => req.writableLength,
        end: (error) => {
          req.end();
          publish.stop(error ? `source failed: ${error.message}` : 'source ended');
        },
      });
      log(`${device}: publishing ${key} as a 1vN stream to ${base} (the camera is full)`);
      markServable(await this.#whenServable(new URL(`/live/${stream.name}/manifest.json`, base), () => ended));
    })().catch((err: unknown) => publish.stop(`cannot publish: ${err instanceof Error ? err.message : String(err)}`));
    return publish;
  }

  /** Polls the stream's manifest until it lists a chunk (peers can join then), the bound passes, or it ended. */
  async #whenServable(manifest: URL, ended: () => boolean): Promise<boolean> {
    const deadline = Date.now() + this.#o.liveWaitMs;
    while (!ended() && Date.now() < deadline) {
      if (await this.#hasChunk(manifest)) return true;
      await new Promise((resolve) => setTimeout(resolve, this.#o.livePollMs));
    }
    return false;
  }

  async #hasChunk(manifest: URL): Promise<boolean> {
    try {
      const req = await originRequest(manifest, this.#o.trust, 'GET');
      return await new Promise<boolean>((resolve) => {
        req.setTimeout(this.#o.liveWaitMs, () => req.destroy());
        req.on('error', () => resolve(false));
        req.on('response', (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (text: string) => {
            if (body.length < 256 * 1024) body += text;
          });
          res.on('error', () => resolve(false));
          res.on('end', () => resolve(res.statusCode === 200 && hasChunks(body)));
        });
        req.end();
      });
    } catch {
      return false;
    }
  }
}

function hasChunks(body: string): boolean {
  try {
    const chunks = (JSON.parse(body) as { chunks?: unknown }).chunks;
    return Array.isArray(chunks) && chunks.length > 0;
  } catch {
    return false;
  }
}
