/**
 * The TURN-over-stream bridge: URL parsing, TURN framing over a stream, and a round trip through a local
 * TCP server that answers each TURN message it reads with the same bytes (what the bridge must deliver:
 * whole messages, ChannelData padded on the stream and unpadded back).
 */
import { createSocket } from 'node:dgram';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createTurnStreamBridge, parseStreamTurnUrl, splitTurnStream, toStreamFrame } from './node-turn-bridge.js';

const stun = (length: number, fill = 0xab) => {
  const b = Buffer.alloc(20 + length, fill);
  b.writeUInt16BE(0x0001, 0); // Binding request
  b.writeUInt16BE(length, 2);
  return b;
};
const channelData = (length: number, fill = 0xcd) => {
  const b = Buffer.alloc(4 + length, fill);
  b.writeUInt16BE(0x4000, 0);
  b.writeUInt16BE(length, 2);
  return b;
};

describe('parseStreamTurnUrl', () => {
  it('takes TCP and TLS TURN URLs, with default ports', () => {
    expect(parseStreamTurnUrl('turn:203.0.113.1:3479?transport=tcp')).toEqual({
      host: '203.0.113.1',
      port: 3479,
      tls: false,
    });
    expect(parseStreamTurnUrl('turns:turn.example.com')).toEqual({ host: 'turn.example.com', port: 5349, tls: true });
    expect(parseStreamTurnUrl('turns:[2001:db8::1]:443?transport=tcp')).toEqual({
      host: '2001:db8::1',
      port: 443,
      tls: true,
    });
    expect(parseStreamTurnUrl('turn:h?transport=tcp')).toEqual({ host: 'h', port: 3478, tls: false });
  });
  it('leaves UDP TURN, STUN and junk alone', () => {
    for (const url of [
      'turn:h:3478',
      'turn:h:3478?transport=udp',
      'stun:h:3478',
      'turns:h?transport=udp',
      'http://h',
    ]) {
      expect(parseStreamTurnUrl(url), url).toBeUndefined();
    }
  });
});

describe('TURN stream framing', () => {
  it('pads ChannelData to 4 bytes and leaves STUN as it is', () => {
    expect(toStreamFrame(channelData(5)).length).toBe(12);
    expect(toStreamFrame(channelData(8)).length).toBe(12);
    expect(toStreamFrame(stun(8)).length).toBe(28);
  });
  it('splits a stream into messages, across and within chunks, without ChannelData padding', () => {
    const stream = Buffer.concat([stun(12), toStreamFrame(channelData(5)), stun(0)]);
    const cut = 34; // the whole STUN message and 2 bytes of the ChannelData header
    const first = splitTurnStream(stream.subarray(0, cut));
    if (first === 'bad') throw new Error('bad');
    expect(first.frames.map((f) => f.length)).toEqual([32]);
    const second = splitTurnStream(Buffer.concat([first.rest, stream.subarray(cut)]));
    if (second === 'bad') throw new Error('bad');
    expect(second.frames.map((f) => f.length)).toEqual([9, 20]);
    expect(second.rest.length).toBe(0);
  });
  it('calls a stream that is not TURN bad', () => {
    expect(splitTurnStream(Buffer.from([0x80, 0, 0, 4, 1, 2, 3, 4]))).toBe('bad');
  });
});

describe('createTurnStreamBridge', () => {
  let server: Server | undefined;
  afterEach(() => server?.close());

  it('carries datagrams to a TCP TURN server and its messages back, per local source', async () => {
    const received: number[] = [];
    server = createServer((socket) => {
      let buffered = Buffer.alloc(0);
      socket.on('data', (chunk: Buffer) => {
        const split = splitTurnStream(Buffer.concat([buffered, chunk]));
        if (split === 'bad') return void socket.destroy();
        buffered = Buffer.from(split.rest);
        for (const frame of split.frames) {
          received.push(frame.length);
          socket.write(toStreamFrame(frame));
        }
      });
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    const bridge = createTurnStreamBridge('127.0.0.1');
    try {
      const [rewritten] = await bridge.rewrite([
        { urls: [`turn:127.0.0.1:${port}?transport=tcp`, 'stun:127.0.0.1:3478'], username: 'u', credential: 'c' },
      ]);
      const [local, untouched] = rewritten!.urls as string[];
      expect(untouched).toBe('stun:127.0.0.1:3478');
      expect(rewritten).toMatchObject({ username: 'u', credential: 'c' });
      const m = /^turn:127\.0\.0\.1:(\d+)\?transport=udp$/.exec(local!);
      expect(m).not.toBeNull();
      // the same server again: the same bridge port
      expect((await bridge.rewrite([{ urls: `turn:127.0.0.1:${port}?transport=tcp` }]))[0]!.urls).toBe(local);

      const ice = createSocket('udp4');
      await new Promise<void>((r) => ice.bind(0, '127.0.0.1', r));
      const answers: Buffer[] = [];
      const got = new Promise<void>((resolve) =>
        ice.on('message', (msg) => {
          answers.push(msg);
          if (answers.length === 3) resolve();
        }),
      );
      for (const d of [stun(12), channelData(5), stun(40)]) ice.send(d, Number(m![1]), '127.0.0.1');
      await got;
      ice.close();
      expect(received).toEqual([32, 9, 60]);
      expect(answers.map((a) => a.length)).toEqual([32, 9, 60]);
      expect(answers[1]).toEqual(channelData(5));
    } finally {
      bridge.close();
    }
  });
});
