/**
 * Slow clients hold a connection (a socket, a file descriptor, parser state) for as long as the server
 * lets them: headers a byte at a time (slowloris), a body that never finishes, a socket that says
 * nothing. Each is cut at its deadline; a publish, whose body is the stream itself, is not.
 * HTTP-FLV and feed readers are capped in number.
 */
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer, loopedFixtureTags } from '@xp2p/testing/server';
import { publishKeyFor } from '../origin/publish-key.js';

let t: TestServer | undefined;
const sockets: Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await t?.server.close();
  t = undefined;
});

const tuning = { httpHeadersTimeoutMs: 1_000, httpBodyTimeoutMs: 1_000, httpIdleTimeoutMs: 1_500 };

/** Opens a raw connection, sends `first`, then `drip` every 200 ms; resolves with how long it lived (ms). */
function slowClient(t: TestServer, first: string, drip: string | undefined): Promise<number> {
  const started = Date.now();
  const socket = connect(t.server.port, '127.0.0.1');
  sockets.push(socket);
  socket.write(first);
  const timer = drip ? setInterval(() => socket.writable && socket.write(drip), 200) : undefined;
  socket.on('error', () => {});
  socket.resume();
  return new Promise((resolve) =>
    socket.once('close', () => {
      clearInterval(timer);
      resolve(Date.now() - started);
    }),
  );
}

describe('slow HTTP clients', () => {
  it('cuts headers sent a byte at a time', async () => {
    t = await startTestServer({ tuning });
    const lived = await Promise.race([
      slowClient(t, 'GET /healthz HTTP/1.1\r\nHost: x\r\n', 'X'),
      new Promise<number>((r) => setTimeout(() => r(Infinity), 15_000)),
    ]);
    expect(lived).toBeLessThan(6_000); // deadlines are 1-1.5 s; room for a loaded machine
  }, 25_000);

  it('cuts a request body that never finishes, on the API', async () => {
    t = await startTestServer({ tuning });
    const lived = await Promise.race([
      slowClient(
        t,
        'POST /api/xp2pinfo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{',
        ' ',
      ),
      new Promise<number>((r) => setTimeout(() => r(Infinity), 15_000)),
    ]);
    expect(lived).toBeLessThan(6_000); // deadlines are 1-1.5 s; room for a loaded machine
  }, 25_000);

  it('cuts a connection that sends nothing', async () => {
    t = await startTestServer({ tuning });
    const lived = await Promise.race([
      slowClient(t, '', undefined),
      new Promise<number>((r) => setTimeout(() => r(Infinity), 15_000)),
    ]);
    expect(lived).toBeLessThan(6_000); // deadlines are 1-1.5 s; room for a loaded machine
  }, 25_000);

  it('cuts a connection that sends nothing by the header deadline, not only the (long) idle one', async () => {
    t = await startTestServer({ tuning: { ...tuning, httpIdleTimeoutMs: 60_000 } });
    const lived = await Promise.race([
      slowClient(t, '', undefined),
      new Promise<number>((r) => setTimeout(() => r(Infinity), 15_000)),
    ]);
    expect(lived).toBeLessThan(6_000);
  }, 25_000);

  it('lets a publish run longer than every deadline, and caps stream readers', async () => {
    t = await startTestServer({ tuning: { ...tuning, maxStreamReaders: 2 } });
    const key = publishKeyFor(t.config.publishKey, 'slow');
    const tags = loopedFixtureTags(3);
    const publish = connect(t.server.port, '127.0.0.1');
    sockets.push(publish);
    publish.write(`POST /live/slow?key=${key} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n`);
    const { encodeFlvHeader, encodeFlvTag } = await import('@xp2p/protocol');
    const chunk = (b: Uint8Array) =>
      publish.write(`${b.byteLength.toString(16)}\r\n${Buffer.from(b).toString('binary')}\r\n`, 'binary');
    chunk(encodeFlvHeader({ audio: true, video: true }));
    let i = 0;
    const started = Date.now();
    // a tag every 100 ms for 3.5 s: past the body and idle deadlines
    while (Date.now() - started < 3_500) {
      chunk(encodeFlvTag(tags[i++ % tags.length]!));
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(publish.destroyed).toBe(false);
    const readers = [];
    for (let n = 0; n < 3; n++) readers.push(await fetch(`${t.server.url}/live/slow.flv`));
    expect(readers.map((r) => r.status)).toEqual([200, 200, 503]);
    for (const r of readers) await r.body?.cancel();
    publish.destroy();
  }, 20_000);
});
