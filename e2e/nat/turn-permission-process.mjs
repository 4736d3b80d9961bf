#!/usr/bin/env node
// A minimal TURN client (RFC 8656) that allocates a relay with REST credentials (coturn use-auth-secret)
// and asks for a permission to each peer address; prints one JSON line per peer: {peer, status}
// (200, or the TURN error code, e.g. 403 Forbidden for a denied peer). Used by turn-denied-peers.test.ts.
// Args: JSON {server, port, secret, realm, peers: ["10.1.0.2", ...]}.
import { createHmac, createHash, randomBytes } from 'node:crypto';
import { Buffer } from 'node:buffer';
import { createSocket } from 'node:dgram';

const o = JSON.parse(process.argv[2] ?? '{}');
const COOKIE = 0x2112a442;
const ATTR = {
  username: 0x0006,
  integrity: 0x0008,
  errorCode: 0x0009,
  realm: 0x0014,
  nonce: 0x0015,
  peer: 0x0012,
  transport: 0x0019,
};
const ALLOCATE = 0x0003;
const CREATE_PERMISSION = 0x0008;

const username = `${Math.floor(Date.now() / 1000) + 600}:natlab`;
const password = createHmac('sha1', o.secret).update(username).digest('base64');
const socket = createSocket('udp4');
await new Promise((r) => socket.bind(0, r));

function attr(type, value) {
  const v = Buffer.from(value);
  const pad = (4 - (v.length % 4)) % 4;
  const h = Buffer.alloc(4);
  h.writeUInt16BE(type, 0);
  h.writeUInt16BE(v.length, 2);
  return Buffer.concat([h, v, Buffer.alloc(pad)]);
}

function message(method, attrs, key) {
  const tid = randomBytes(12);
  let body = Buffer.concat(attrs);
  const header = (len) => {
    const h = Buffer.alloc(20);
    h.writeUInt16BE(method, 0); // class request: the class bits are 0
    h.writeUInt16BE(len, 2);
    h.writeUInt32BE(COOKIE, 4);
    tid.copy(h, 8);
    return h;
  };
  if (key) {
    // RFC 8489 §14.5: the HMAC covers the message with its length already counting MESSAGE-INTEGRITY
    const mac = createHmac('sha1', key)
      .update(Buffer.concat([header(body.length + 24), body]))
      .digest();
    body = Buffer.concat([body, attr(ATTR.integrity, mac)]);
  }
  return { tid, bytes: Buffer.concat([header(body.length), body]) };
}

function parse(buf) {
  const attrs = new Map();
  for (let at = 20; at + 4 <= buf.length;) {
    const type = buf.readUInt16BE(at);
    const len = buf.readUInt16BE(at + 2);
    attrs.set(type, buf.subarray(at + 4, at + 4 + len));
    at += 4 + len + ((4 - (len % 4)) % 4);
  }
  const type = buf.readUInt16BE(0);
  const error = attrs.get(ATTR.errorCode);
  return {
    ok: (type & 0x0110) === 0x0100,
    status: error ? error[2] * 100 + error[3] : 200,
    attrs,
    tid: buf.subarray(8, 20),
  };
}

function ask(msg) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no answer from the TURN server')), 3_000);
    const onMessage = (buf) => {
      const answer = parse(buf);
      if (!answer.tid.equals(msg.tid)) return;
      clearTimeout(timer);
      socket.off('message', onMessage);
      resolve(answer);
    };
    socket.on('message', onMessage);
    socket.send(msg.bytes, o.port, o.server);
  });
}

function xorPeer(ip) {
  const v = Buffer.alloc(8);
  v[1] = 0x01; // IPv4
  v.writeUInt16BE(3478 ^ (COOKIE >>> 16), 2);
  v.writeUInt32BE((ip.split('.').reduce((n, b) => n * 256 + Number(b), 0) ^ COOKIE) >>> 0, 4);
  return v;
}

try {
  const transport = attr(ATTR.transport, Buffer.from([17, 0, 0, 0]));
  const first = await ask(message(ALLOCATE, [transport]));
  if (first.status !== 401) throw new Error(`expected 401 with a nonce, got ${first.status}`);
  const realm = first.attrs.get(ATTR.realm);
  const nonce = first.attrs.get(ATTR.nonce);
  const key = createHash('md5').update(`${username}:${realm.toString()}:${password}`).digest();
  const auth = [attr(ATTR.username, username), attr(ATTR.realm, realm), attr(ATTR.nonce, nonce)];
  const allocated = await ask(message(ALLOCATE, [transport, ...auth], key));
  if (!allocated.ok) throw new Error(`allocation refused: ${allocated.status}`);
  for (const peer of o.peers) {
    const answer = await ask(message(CREATE_PERMISSION, [attr(ATTR.peer, xorPeer(peer)), ...auth], key));
    console.log(JSON.stringify({ peer, status: answer.status }));
  }
} catch (err) {
  console.log(JSON.stringify({ error: String(err?.message ?? err) }));
} finally {
  socket.close();
}
