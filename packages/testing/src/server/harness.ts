/**
 * Server test helpers: a config with two apps and two devices, a started server on
 * 127.0.0.1 port 0, signed fetch, and WebSocket clients that queue what they receive.
 */
import { appSignatureHeaders, deviceLoginProof, parseRelayFrame, randomId, signAppRequest } from '@xp2p/protocol';
import WebSocket from 'ws';
import {
  startServer,
  type AppConfig,
  type DeviceConfig,
  type RunningServer,
  type StartServerOptions,
  type XP2PConfig,
} from '@xp2p/server';

export function testConfig(): XP2PConfig {
  const app = (n: number): AppConfig => ({
    appid: `app-test${n}`,
    appOauthId: `oauth-${n}`,
    appKey: `key-${n}-${randomId(8)}`,
    appSecretKey: randomId(32),
    appPackage: `test.app${n}`,
  });
  const device = (deviceName: string): DeviceConfig => ({ productId: 'demo', deviceName, secret: randomId(32) });
  return {
    version: 1,
    server: { host: '127.0.0.1', port: 0, stunPort: 0 },
    apps: [app(1), app(2)],
    devices: [device('cam1'), device('cam2')],
    publishKey: randomId(32),
  };
}

export interface TestServer {
  server: RunningServer;
  config: XP2PConfig;
  app: AppConfig;
  otherApp: AppConfig;
  cam1: DeviceConfig;
  cam2: DeviceConfig;
  logs: string[];
  wsUrl: (path: string) => string;
}

export async function startTestServer(options: Partial<StartServerOptions> = {}): Promise<TestServer> {
  const config = options.config ?? testConfig();
  const logs: string[] = [];
  const server = await startServer({
    host: '127.0.0.1',
    port: 0,
    stunPort: 0,
    log: (l) => logs.push(l),
    ...options,
    config,
  });
  const [app, otherApp] = config.apps as [AppConfig, AppConfig];
  const [cam1, cam2] = config.devices as [DeviceConfig, DeviceConfig];
  return { server, config, app, otherApp, cam1, cam2, logs, wsUrl: (path) => server.url.replace(/^http/, 'ws') + path };
}

export async function signedFetch(
  t: TestServer,
  method: string,
  path: string,
  body?: unknown,
  options: {
    app?: AppConfig;
    now?: number;
    headers?: Record<string, string>;
    /** the base URL the client believes it calls (a proxy's, say): what the signature covers */
    signedBase?: string;
  } = {},
): Promise<Response> {
  const text = body === undefined ? '' : JSON.stringify(body);
  const sig = await signAppRequest(
    options.app ?? t.app,
    method,
    (options.signedBase ?? t.server.url) + path,
    text,
    options.now,
  );
  return fetch(t.server.url + path, {
    method,
    headers: { ...appSignatureHeaders(sig), 'content-type': 'application/json', ...options.headers },
    ...(text ? { body: text } : {}),
  });
}

export type Message = { type: string; [key: string]: unknown };

/** The one binary message signalling has: a relay frame (or what was wrong with it, as a message). */
function binaryMessage(bytes: Uint8Array): Message {
  const parsed = parseRelayFrame(bytes);
  return parsed.ok ? { ...parsed.message } : { type: 'invalid-binary', error: parsed.error };
}

/** A real `ws` client that queues received JSON messages for `next()`. */
export class TestClient {
  readonly ws: WebSocket;
  readonly #inbox: Message[] = [];
  readonly #waiters: ((m: Message) => void)[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  readonly opened: Promise<void>;

  constructor(url: string, options: WebSocket.ClientOptions = {}) {
    this.ws = new WebSocket(url, options);
    this.ws.on('message', (data, isBinary) => {
      const message = isBinary ? binaryMessage(new Uint8Array(data as Buffer)) : (JSON.parse(String(data)) as Message);
      const waiter = this.#waiters.shift();
      if (waiter) waiter(message);
      else this.#inbox.push(message);
    });
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('error', reject);
      this.ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    });
    this.opened.catch(() => {});
    this.closed = new Promise((resolve) =>
      this.ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
  }

  /** The next message received (waits up to `timeoutMs`). */
  next(timeoutMs = 3_000): Promise<Message> {
    const queued = this.#inbox.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.splice(this.#waiters.indexOf(onMessage), 1);
        reject(new Error('no message within timeout'));
      }, timeoutMs);
      const onMessage = (m: Message): void => {
        clearTimeout(timer);
        resolve(m);
      };
      this.#waiters.push(onMessage);
    });
  }

  /** A string or bytes as they are (bytes: a binary message), anything else as JSON. */
  send(message: unknown): void {
    this.ws.send(typeof message === 'string' || message instanceof Uint8Array ? message : JSON.stringify(message));
  }

  async close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    if (this.ws.readyState === WebSocket.CONNECTING) this.ws.terminate();
    else this.ws.close();
    await this.closed;
  }
}

/** Tracks clients so `afterEach` can close every one. */
export class ClientPool {
  readonly #clients: TestClient[] = [];
  add(client: TestClient): TestClient {
    this.#clients.push(client);
    return client;
  }
  async closeAll(): Promise<void> {
    await Promise.all(this.#clients.splice(0).map((c) => c.close()));
  }
}

/** Logs a device in (real challenge/response) and returns it after `welcome`. */
export async function connectDevice(
  t: TestServer,
  pool: ClientPool,
  device: DeviceConfig = t.cam1,
  options: { version?: string; secret?: string; clientOptions?: WebSocket.ClientOptions } = {},
): Promise<{ client: TestClient; reply: Message }> {
  const client = pool.add(new TestClient(t.wsUrl('/signal/device'), options.clientOptions));
  const challenge = await client.next();
  if (challenge.type !== 'challenge') throw new Error(`expected challenge, got ${challenge.type}`);
  client.send({
    type: 'auth',
    v: 1,
    productId: device.productId,
    deviceName: device.deviceName,
    version: options.version ?? '2.4.50',
    proof: await deviceLoginProof(
      options.secret ?? device.secret,
      device.productId,
      device.deviceName,
      String(challenge.challenge),
    ),
  });
  return { client, reply: await client.next() };
}

/** The WebSocket URL of `path` with an app's signature in its query (as the sdk opens app sockets). */
export async function signedWsUrl(t: TestServer, path: string, app: AppConfig = t.app, now?: number): Promise<string> {
  const sig = await signAppRequest(app, 'GET', t.server.url + path, '', now);
  const query = new URLSearchParams({
    appKey: sig.appKey,
    timestamp: String(sig.timestamp),
    nonce: sig.nonce,
    signature: sig.signature,
  });
  return t.wsUrl(`${path}?${query}`);
}

export const viewerUrl = (t: TestServer, app: AppConfig = t.app, now?: number): Promise<string> =>
  signedWsUrl(t, '/signal/viewer', app, now);

/** Opens a signed viewer socket and returns it after `hello`. */
export async function connectViewer(
  t: TestServer,
  pool: ClientPool,
  app: AppConfig = t.app,
): Promise<{ client: TestClient; hello: Message }> {
  const client = pool.add(new TestClient(await viewerUrl(t, app)));
  return { client, hello: await client.next() };
}

export const sessionId = (): string => randomId(12);
