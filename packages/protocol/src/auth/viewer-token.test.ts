import { describe, expect, it } from 'vitest';
import { peekViewerToken, signViewerToken, verifyViewerToken } from './viewer-token.js';

const secret = 'device-secret-0123456789';
const claims = { appid: 'app-1', productId: 'demo', deviceName: 'cam1', user: 'ann', role: 'viewer' as const };
const device = { productId: 'demo', deviceName: 'cam1' };

describe('viewer token', () => {
  it('verifies with the device secret and carries its claims', async () => {
    const token = await signViewerToken(secret, claims);
    const check = await verifyViewerToken(secret, token, device);
    expect(check.ok && check.payload.appid).toBe('app-1');
    expect(peekViewerToken(token)?.deviceName).toBe('cam1');
  });

  it('is never the same twice', async () => {
    expect(await signViewerToken(secret, claims)).not.toBe(await signViewerToken(secret, claims));
  });

  it('refuses a forged, expired, foreign or malformed token', async () => {
    const token = await signViewerToken(secret, claims);
    const [body, mac] = token.split('.');
    const flipped = `${body}.${mac!.slice(0, -2)}${mac!.endsWith('AA') ? 'BB' : 'AA'}`;
    expect(await verifyViewerToken(secret, flipped, device)).toEqual({ ok: false, reason: 'bad-signature' });
    expect(await verifyViewerToken('another-secret', token, device)).toEqual({ ok: false, reason: 'bad-signature' });
    const old = await signViewerToken(secret, claims, { ttlSeconds: 60, now: Date.now() - 3600_000 });
    expect(await verifyViewerToken(secret, old, device)).toEqual({ ok: false, reason: 'expired' });
    const other = await signViewerToken(secret, { ...claims, deviceName: 'cam2' });
    expect(await verifyViewerToken(secret, other, device)).toEqual({ ok: false, reason: 'wrong-device' });
    for (const bad of ['', 'x', 'a.b.c', `${'A'.repeat(2000)}.x`]) {
      expect(await verifyViewerToken(secret, bad, device)).toEqual({ ok: false, reason: 'malformed' });
    }
  });
});
