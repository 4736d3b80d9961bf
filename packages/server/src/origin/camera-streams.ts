/**
 * A full camera's 1vN streams (protocol/src/auth/camera-stream.ts says who may do what). The camera POSTs
 * its stream to `/live/cam-...` with its device in `x-xp2p-device` and the key its secret makes; this
 * checks both against the device's secret, so no one else (another device, a viewer, the master publish
 * key) publishes a camera's name. While the publish runs it is watched like a pulled stream: once no
 * HTTP-FLV viewer and no tracker peer has used it for `idleMs` it is ended, and the camera, whose request
 * is answered, stops uploading. The names are never listed (streams-api.ts, the status page).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CAMERA_DEVICE_HEADER, checkCameraPublish, PUBLISH_KEY_HEADER } from '@xp2p/protocol';
import { Counter, Gauge, type Registry } from 'prom-client';
import { HttpError } from '../errors.js';
import { sendJson } from '../json-response.js';
import type { Origin } from './origin.js';

export interface CameraStreamsOptions {
  origin: Origin;
  /** the secret of a registered camera (the config's devices, or the accounts database) */
  deviceSecret: (productId: string, deviceName: string) => Promise<string | undefined>;
  /** a camera stream nobody watches for this long is ended (the camera stops uploading) */
  idleMs: number;
  /** tracker peers of a stream on this node */
  peersHere: (stream: string) => number;
  /** where its gauges go (the node's /metrics) */
  registry?: Registry;
  log: (line: string) => void;
}

interface Watch {
  timer: ReturnType<typeof setInterval>;
  lastUsed: number;
  device: string;
}

/** `productId/deviceName`, each as the signalling schema allows them. */
const DEVICE_ID = /^([A-Za-z0-9_.-]{1,64})\/([A-Za-z0-9_.-]{1,64})$/;

export class CameraStreams {
  readonly #o: CameraStreamsOptions;
  readonly #watches = new Map<string, Watch>();
  readonly #started: Counter | undefined;

  constructor(o: CameraStreamsOptions) {
    this.#o = o;
    if (!o.registry) return;
    const registers = [o.registry];
    const watches = this.#watches;
    new Gauge({
      name: 'xp2p_camera_streams',
      help: "Full cameras' 1vN streams being published to this node now",
      registers,
      collect() {
        this.set(watches.size);
      },
    });
    this.#started = new Counter({
      name: 'xp2p_camera_streams_total',
      help: "Full cameras' 1vN publishes this node accepted",
      registers,
    });
  }

  /** The camera (`productId/deviceName`) publishing `name` on this node now, if any. */
  publisherOf(name: string): string | undefined {
    return this.#watches.get(name)?.device;
  }

  /** Camera streams being published here now. */
  get publishing(): number {
    return this.#watches.size;
  }

  /** Resolves with the publishing device when `req` carries its camera's credential for `name`; else throws 403. */
  async authorize(name: string, req: IncomingMessage): Promise<string> {
    const device = header(req, CAMERA_DEVICE_HEADER);
    const key = header(req, PUBLISH_KEY_HEADER);
    const m = device === undefined ? null : DEVICE_ID.exec(device);
    const secret = m ? await this.#o.deviceSecret(m[1]!, m[2]!) : undefined;
    if (!m || secret === undefined || key === undefined || !(await checkCameraPublish(secret, device!, name, key))) {
      this.#o.log(`camera stream publish refused: ${device === undefined ? 'no device' : 'bad credential'}`);
      throw new HttpError(403, 'a camera stream is published only by its camera, with its credential');
    }
    return device!;
  }

  /** The publish of `name` by `device` was opened: end it once nobody uses it for idleMs. */
  watch(name: string, device: string, res: ServerResponse): void {
    const { origin, idleMs } = this.#o;
    const stream = origin.stream(name);
    if (!stream?.live) return;
    this.#started?.inc();
    this.#o.log(`camera ${device}: 1vN stream ${short(name)} published`);
    const watch: Watch = {
      device,
      lastUsed: Date.now(),
      timer: setInterval(
        () => {
          // one subscriber is the origin's own bookkeeping; more are HTTP-FLV viewers and feeds here
          if (!stream.live) return this.#forget(name, watch, 'its publish ended');
          if (stream.subscriberCount > 1 || this.#o.peersHere(name) > 0) watch.lastUsed = Date.now();
          else if (Date.now() - watch.lastUsed >= idleMs) {
            stream.end();
            // the camera's request is answered now: it stops sending (a late body chunk is refused, 409)
            if (!res.headersSent) {
              res.setHeader('connection', 'close');
              sendJson(res, 200, { stream: name, ended: `no viewer for ${idleMs} ms` });
            }
            this.#forget(name, watch, `no viewer for ${idleMs} ms`);
          }
        },
        Math.max(50, Math.min(1000, idleMs / 4)),
      ),
    };
    this.#watches.set(name, watch);
  }

  close(): void {
    for (const [name, watch] of [...this.#watches]) this.#forget(name, watch, 'server closing');
  }

  #forget(name: string, watch: Watch, why: string): void {
    clearInterval(watch.timer);
    if (this.#watches.get(name) === watch) this.#watches.delete(name);
    this.#o.log(`camera ${watch.device}: 1vN stream ${short(name)} stopped (${why})`);
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return typeof v === 'string' && v.length <= 256 ? v : undefined;
}

/** A camera stream's name is a capability: logs show only its start. */
const short = (name: string): string => `${name.slice(0, 10)}…`;
