import { describe, expect, it } from 'vitest';
import { parseBusMessage } from './bus-schema.js';

describe('messages from Redis', () => {
  it('pass when well formed', () => {
    const m = { t: 'device-replaced', from: 'node-a', productId: 'demo', deviceName: 'cam1' };
    expect(parseBusMessage(JSON.stringify(m))).toEqual({ ok: true, message: m });
    const relay = { t: 'relay-to-viewer', from: 'node-a', sessionId: 'relay-abcdefgh', frame: 'UgABAgM=' };
    expect(parseBusMessage(JSON.stringify(relay))).toEqual({ ok: true, message: relay });
  });

  it('are dropped when malformed, whatever their shape', () => {
    for (const hostile of [
      'not json',
      '{"t":"to-device","from":"x","sessionId":"s","productId":"demo","deviceName":"cam1","message":{"type":"offer","sdp":5}}',
      '{"t":"to-viewer","from":"x","sessionId":"s","message":{"type":"__proto__"}}',
      '{"t":"peer-left","from":"x","stream":"../etc","peerId":"p","to":[]}',
      '{"t":"unknown"}',
      '{"t":"relay-to-viewer","from":"x","sessionId":"s","frame":"not base64!"}',
      JSON.stringify({ t: 'relay-to-viewer', from: 'x', sessionId: 's', frame: 'A'.repeat(60_000) }),
      '[]',
      'null',
      JSON.stringify({ t: 'device-replaced', from: 'x', productId: 'demo', deviceName: 'x'.repeat(200_000) }),
    ]) {
      expect(parseBusMessage(hostile).ok, hostile.slice(0, 80)).toBe(false);
    }
  });
});
