import { describe, expect, it } from 'vitest';
import { parseRequestFrame, parseResponseFrame } from '../framing/messages.js';
import { parseSignal, SIGNAL_MAX_BYTES, viewerToServerSchema } from './messages.js';

describe('signalling message parsing', () => {
  it('accepts a well-formed offer', () => {
    const r = parseSignal(
      viewerToServerSchema,
      JSON.stringify({ type: 'offer', sessionId: 'abcdefgh12', token: 't', sdp: 'v=0' }),
    );
    expect(r.ok).toBe(true);
  });

  it.each([
    ['not JSON', '{'],
    ['unknown type', JSON.stringify({ type: 'hack' })],
    ['short session id', JSON.stringify({ type: 'bye', sessionId: 'x' })],
    ['session id with odd characters', JSON.stringify({ type: 'bye', sessionId: '../../etc/passwd' })],
    ['a number', '42'],
    [
      'oversized',
      JSON.stringify({ type: 'offer', sessionId: 'abcdefgh12', token: 't', sdp: 'x'.repeat(SIGNAL_MAX_BYTES) }),
    ],
  ])('refuses %s with a readable error, never a throw', (_why, raw) => {
    const r = parseSignal(viewerToServerSchema, raw);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error.length).toBeGreaterThan(5);
  });

  it('refuses binary input that is not text', () => {
    expect(parseSignal(viewerToServerSchema, 123).ok).toBe(false);
  });
});

describe('request framing', () => {
  it('parses request and response frames', () => {
    expect(parseRequestFrame(JSON.stringify({ type: 'request', v: 1, path: 'ipc.flv', query: 'action=live' })).ok).toBe(
      true,
    );
    expect(parseResponseFrame(JSON.stringify({ type: 'head', status: 200, headers: { a: 'b' } })).ok).toBe(true);
    expect(parseResponseFrame(JSON.stringify({ type: 'end' })).ok).toBe(true);
  });

  it('refuses path tricks and oversized requests', () => {
    expect(parseRequestFrame(JSON.stringify({ type: 'request', v: 1, path: 'a b', query: '' })).ok).toBe(false);
    expect(
      parseRequestFrame(JSON.stringify({ type: 'request', v: 1, path: 'ipc.flv', query: 'x'.repeat(9000) })).ok,
    ).toBe(false);
    expect(parseResponseFrame(JSON.stringify({ type: 'head', status: 99, headers: {} })).ok).toBe(false);
  });
});
