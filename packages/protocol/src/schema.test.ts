import { describe, expect, it } from 'vitest';
import { parseSignal, viewerToServerSchema } from './signal/messages.js';
import { parseRequestFrame } from './framing/messages.js';
import { peerMessageSchema } from './swarm/peer-wire.js';

const offer = { type: 'offer', sessionId: 'abcdefgh12', token: 't', sdp: 'v=0' };
const reject = (raw: unknown) => parseSignal(viewerToServerSchema, JSON.stringify(raw));

describe('zod/mini wire schemas', () => {
  it('say where and how a message broke its schema', () => {
    expect(reject({ ...offer, sessionId: 'short' })).toEqual({
      ok: false,
      error: 'invalid message: sessionId: too short (min 8)',
    });
    expect(reject({ type: 'nope' })).toEqual({ ok: false, error: 'invalid message: type: matches no message type' });
    expect(reject({ ...offer, sdp: 5 })).toEqual({ ok: false, error: 'invalid message: sdp: expected string' });
    expect(parseRequestFrame(JSON.stringify({ type: 'request', v: 1, path: 'a b', query: '' }))).toEqual({
      ok: false,
      // the one request-path rule (framing/request-path.ts), named as it is checked
      error: 'invalid message: path: does not match /^(?!.*\\.\\.)[A-Za-z0-9_./-]{1,256}$/',
    });
  });

  it('keep integers whole and safe, and every bound', () => {
    const report = { type: 'report', sessionId: 'abcdefgh12', path: 'host' };
    expect(reject({ ...report, bytes: 1.5 })).toMatchObject({
      ok: false,
      error: 'invalid message: bytes: expected int',
    });
    expect(reject({ ...report, bytes: 2 ** 51 })).toMatchObject({ ok: false, error: /bytes: too large/ });
    expect(reject({ ...report, ttffMs: -1 })).toMatchObject({ ok: false, error: /ttffMs: too small \(min 0\)/ });
    expect(reject({ ...offer, sdp: 'x'.repeat(32 * 1024 + 1) })).toMatchObject({ ok: false, error: /sdp: too long/ });
    expect(peerMessageSchema.safeParse({ type: 'have', seq: 2 ** 53 }).success).toBe(false);
    expect(
      peerMessageSchema.safeParse({ type: 'hello', v: 1, have: Array(257).fill([0, 1]), upload: true }).success,
    ).toBe(false);
  });

  it('drop keys a schema does not name', () => {
    expect(peerMessageSchema.parse({ type: 'have', seq: 1, extra: 'x' })).toEqual({ type: 'have', seq: 1 });
  });
});
