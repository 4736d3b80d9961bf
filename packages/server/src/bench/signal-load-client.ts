/**
 * The client side of the signalling load bench: opens many idle, app-signed viewer WebSockets as raw TCP
 * sockets (a full WebSocket client per connection would cost more memory than the server under test),
 * spread over several 127.0.0.x source addresses (one address runs out of ephemeral ports near 28k),
 * answers the server's pings so the connections stay, and prints progress as JSON lines.
 * Input: one JSON argument {url, app, connections, sources, concurrency}.
 */
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { signAppRequest } from '@xp2p/protocol';

interface Input {
  url: string;
  app: { appKey: string; appSecretKey: string; appid: string };
  connections: number;
  sources: number;
  concurrency: number;
}
const input = JSON.parse(process.argv[2] ?? '{}') as Input;
const { hostname, port } = new URL(input.url);
const say = (o: object): void => void process.stdout.write(`${JSON.stringify(o)}\n`);
const sockets: Socket[] = [];

/** Answers ping frames (opcode 9) with a masked pong; everything else the server sends is dropped. */
function keepAlive(socket: Socket, rest: Buffer): void {
  let buf = rest;
  const onData = (data: Buffer): void => {
    buf = buf.length ? Buffer.concat([buf, data]) : data;
    for (;;) {
      if (buf.length < 2) return;
      let len = buf[1]! & 0x7f;
      let off = 2;
      if (len === 126) {
        if (buf.length < 4) return;
        len = buf.readUInt16BE(2);
        off = 4;
      } else if (len === 127) {
        if (buf.length < 10) return;
        len = Number(buf.readBigUInt64BE(2));
        off = 10;
      }
      if (buf.length < off + len) return;
      const opcode = buf[0]! & 0x0f;
      if (opcode === 0x9 && len < 126) {
        const payload = buf.subarray(off, off + len);
        const mask = randomBytes(4);
        const masked = Buffer.from(payload.map((b, i) => b ^ mask[i % 4]!));
        socket.write(Buffer.concat([Buffer.from([0x8a, 0x80 | len]), mask, masked]));
      }
      buf = buf.subarray(off + len);
    }
  };
  socket.on('data', onData);
}

async function open(index: number): Promise<boolean> {
  const sig = await signAppRequest(input.app, 'GET', `${input.url}/signal/viewer`, '');
  const query = new URLSearchParams({
    appKey: sig.appKey,
    timestamp: String(sig.timestamp),
    nonce: sig.nonce,
    signature: sig.signature,
  });
  const localAddress = `127.0.0.${2 + (index % input.sources)}`;
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port), localAddress });
    socket.setNoDelay(true);
    let head = Buffer.alloc(0);
    const fail = (): void => {
      socket.destroy();
      resolve(false);
    };
    socket.once('error', fail);
    socket.once('connect', () =>
      socket.write(
        `GET /signal/viewer?${query} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nUpgrade: websocket\r\n` +
          `Connection: Upgrade\r\nSec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      ),
    );
    const onHead = (data: Buffer): void => {
      head = Buffer.concat([head, data]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      socket.off('data', onHead);
      if (!head.subarray(0, 12).toString().startsWith('HTTP/1.1 101')) return fail();
      socket.off('error', fail);
      socket.on('error', () => {});
      sockets.push(socket);
      keepAlive(socket, head.subarray(end + 4));
      resolve(true);
    };
    socket.on('data', onHead);
  });
}

const started = performance.now();
let next = 0;
let ok = 0;
let failed = 0;
let consecutiveFailures = 0;
async function worker(): Promise<void> {
  while (next < input.connections && consecutiveFailures < 200) {
    const i = next++;
    if (await open(i)) {
      ok++;
      consecutiveFailures = 0;
    } else {
      failed++;
      consecutiveFailures++;
    }
    if ((ok + failed) % 5000 === 0) say({ progress: ok, failed, ms: Math.round(performance.now() - started) });
  }
}
await Promise.all(Array.from({ length: input.concurrency }, worker));
say({ done: true, connected: ok, failed, ms: Math.round(performance.now() - started) });
process.once('SIGTERM', () => {
  for (const s of sockets) s.destroy();
  process.exit(0);
});
