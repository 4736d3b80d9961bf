/**
 * Clients that misuse signalling sockets: one that never reads what the server sends, one that answers
 * pings with pongs that do not match, and one address or one app opening connections as fast as it can.
 * Each is cut or refused, and the others keep working.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { deviceToServerSchema, type DeviceToServer, type ServerToDevice } from '@xp2p/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { SERVER_DEFAULTS } from '../defaults.js';
import { ClientPool, startTestServer, TestClient, viewerUrl, type TestServer } from '@xp2p/testing/server';
import { parsePrometheusText } from '@xp2p/testing';
import { SignalChannel } from './channel.js';
import { Heartbeat } from './heartbeat.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function wsServer(): Promise<{ wss: WebSocketServer; http: Server; port: number }> {
  const http = createServer();
  const wss = new WebSocketServer({ server: http });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  cleanups.push(
    () => new Promise((r) => http.close(r)),
    () => wss.close(),
  );
  return { wss, http, port: (http.address() as AddressInfo).port };
}

/** A WebSocket client made by hand that completes the handshake and then never reads another byte. */
function neverReadingClient(port: number): Promise<Socket> {
  return neverReadingClientAt(port, '/');
}

function neverReadingClientAt(port: number, path: string): Promise<Socket> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    cleanups.push(() => socket.destroy());
    socket.on('error', () => {});
    socket.write(
      `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    );
    socket.once('data', () => {
      socket.pause(); // from here on the kernel buffers fill, then the server's
      resolve(socket);
    });
  });
}

describe('signalling sockets under abuse', () => {
  it('cuts a client that does not read once its send buffer passes the limit', async () => {
    const { wss, port } = await wsServer();
    const accepted = new Promise<WebSocket>((resolve) => wss.once('connection', resolve));
    await neverReadingClient(port);
    const ws = await accepted;
    const channel = new SignalChannel<DeviceToServer, ServerToDevice>({
      ws,
      schema: deviceToServerSchema,
      tuning: SERVER_DEFAULTS,
      log: () => {},
      label: () => 'slow reader',
      onMessage: () => {},
    });
    const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
    const sdp = 'v=0\r\n' + 'a'.repeat(60_000);
    let peak = 0;
    // 256 MiB offered to a reader that takes nothing
    for (let i = 0; i < 4_096 && ws.readyState === WebSocket.OPEN; i++) {
      channel.send({ type: 'offer', sessionId: 's', sdp, appid: 'a', token: 't' } as unknown as ServerToDevice);
      peak = Math.max(peak, ws.bufferedAmount);
      if (i % 64 === 0) await new Promise((r) => setImmediate(r));
    }
    await closed;
    expect(peak).toBeLessThanOrEqual(SERVER_DEFAULTS.maxSendBufferBytes + 64 * 1024);
  });

  it('counts only a pong that carries the payload of its ping', async () => {
    const { wss, port } = await wsServer();
    const heartbeat = new Heartbeat(50, 2);
    cleanups.push(() => heartbeat.stop());
    wss.on('connection', (ws) => heartbeat.watch(ws));
    heartbeat.start();
    // a client that never answers pings but sends empty pongs of its own every 20 ms
    const client = new WebSocket(`ws://127.0.0.1:${port}`, { autoPong: false });
    cleanups.push(() => client.terminate());
    await new Promise((resolve) => client.once('open', resolve));
    const timer = setInterval(() => client.readyState === WebSocket.OPEN && client.pong(), 20);
    cleanups.push(() => clearInterval(timer));
    const closedAt = await new Promise<number>((resolve) => client.once('close', () => resolve(Date.now())));
    expect(closedAt).toBeGreaterThan(0);
    // an honest client (ws answers pings with their payload) stays
    const honest = new WebSocket(`ws://127.0.0.1:${port}`);
    cleanups.push(() => honest.terminate());
    await new Promise((resolve) => honest.once('open', resolve));
    await new Promise((r) => setTimeout(r, 400));
    expect(honest.readyState).toBe(WebSocket.OPEN);
  }, 10_000);
});

describe('unauthenticated sockets that never read', () => {
  let t: TestServer;
  afterEach(async () => {
    await t?.server.close();
  });

  it('a device socket that never logs in nor reads is gone soon after the login deadline', async () => {
    t = await startTestServer({ tuning: { deviceAuthTimeoutMs: 500 } });
    await neverReadingClientAt(t.server.port, '/signal/device');
    const started = Date.now();
    // the client reads nothing, so only the server can tell: its open-connection gauge
    const open = async () =>
      parsePrometheusText(await (await fetch(`${t.server.url}/metrics`)).text()).get('xp2p_connections{kind="device"}');
    await expect.poll(open).toBe(1);
    // the close handshake cannot finish: the server must not wait ws's 30 s for it
    await expect.poll(open, { timeout: 30_000, interval: 100 }).toBe(0);
    expect(Date.now() - started).toBeLessThan(500 + SERVER_DEFAULTS.closeGraceMs + 3_000);
  }, 40_000);
});

describe('join limits', () => {
  let t: TestServer;
  const pool = new ClientPool();
  afterEach(async () => {
    await pool.closeAll();
    await t?.server.close();
  });

  it('limits new connections per address: one address is refused, another still joins', async () => {
    t = await startTestServer({ tuning: { joinBurstPerAddress: 5, joinsPerSecondPerAddress: 0.1 } });
    const statuses: (number | 'open')[] = [];
    for (let i = 0; i < 8; i++) {
      const client = pool.add(new TestClient(t.wsUrl('/signal/device'), { localAddress: '127.0.0.1' }));
      statuses.push(
        await client.opened.then(
          () => 'open' as const,
          (err: Error) => Number(/\d+/.exec(err.message)?.[0]),
        ),
      );
    }
    expect(statuses.filter((s) => s === 'open').length).toBe(5);
    expect(statuses.filter((s) => s === 429).length).toBe(3);
    const other = pool.add(new TestClient(t.wsUrl('/signal/device'), { localAddress: '127.0.0.2' }));
    await other.opened;
  });

  it('limits new connections per app: one app is refused, another still joins', async () => {
    t = await startTestServer({ tuning: { appJoinBurst: 4, appJoinsPerSecond: 0.1 } });
    const statuses: (number | 'open')[] = [];
    for (let i = 0; i < 6; i++) {
      const client = pool.add(new TestClient(await viewerUrl(t, t.app), { localAddress: `127.0.1.${i + 1}` }));
      statuses.push(
        await client.opened.then(
          () => 'open' as const,
          (err: Error) => Number(/\d+/.exec(err.message)?.[0]),
        ),
      );
    }
    expect(statuses.filter((s) => s === 'open').length).toBe(4);
    expect(statuses.filter((s) => s === 429).length).toBe(2);
    const other = pool.add(new TestClient(await viewerUrl(t, t.otherApp), { localAddress: '127.0.2.1' }));
    await other.opened;
  });
});

describe('garbage before login', () => {
  let t: TestServer;
  const pool = new ClientPool();
  afterEach(async () => {
    await pool.closeAll();
    await t?.server.close();
  });

  it('a device socket that has not logged in is closed at its first invalid message', async () => {
    t = await startTestServer();
    const client = pool.add(new TestClient(t.wsUrl('/signal/device')));
    await client.next(); // the challenge
    client.send('garbage that is not JSON');
    expect(await client.next()).toMatchObject({ type: 'error', status: 400 });
    expect((await client.closed).code).toBe(1008);
  });
});
