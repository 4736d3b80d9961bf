import { describe, expect, it } from 'vitest';
import { checkBridgeRequest, newBridgeToken, type BridgeGuardConfig } from './bridge-guard.js';

const cfg: BridgeGuardConfig = {
  token: newBridgeToken(),
  host: '127.0.0.1',
  port: 16080,
  allowedOrigins: ['http://127.0.0.1:8080'],
};
const live = `/${cfg.token}/demo/cam1/ipc.flv?action=live&channel=0`;
const check = (headers: Record<string, string>, url = live, method = 'GET') =>
  checkBridgeRequest({ method, url, headers: { host: '127.0.0.1:16080', ...headers } }, cfg);

describe('bridge guard', () => {
  it('lets a native player (no Origin, no Sec-Fetch-Site) and a typed URL (Sec-Fetch-Site: none) through', () => {
    expect(check({})).toMatchObject({
      ok: true,
      target: { productId: 'demo', deviceName: 'cam1', corsOrigin: undefined },
    });
    expect(check({ 'sec-fetch-site': 'none' }).ok).toBe(true);
    expect(check({ host: 'localhost:16080' }).ok).toBe(true);
  });

  it('lets an allowed page origin read, and names it for CORS (never *)', () => {
    const v = check({ origin: 'http://127.0.0.1:8080', 'sec-fetch-site': 'same-site' });
    expect(v).toMatchObject({ ok: true, target: { corsOrigin: 'http://127.0.0.1:8080' } });
  });

  it('refuses foreign hosts, other origins, cross-site no-cors requests, other methods, tokens and actions', () => {
    expect(check({ host: 'evil.example:16080' })).toMatchObject({ ok: false, status: 421 });
    expect(check({ host: '127.0.0.1:16081' })).toMatchObject({ ok: false, status: 421 });
    expect(check({ origin: 'http://evil.example' })).toMatchObject({ ok: false, status: 403 });
    expect(check({ origin: 'null' })).toMatchObject({ ok: false, status: 403 });
    expect(check({ 'sec-fetch-site': 'cross-site' })).toMatchObject({ ok: false, status: 403 });
    expect(check({}, live, 'POST')).toMatchObject({ ok: false, status: 405 });
    expect(check({}, '/demo/cam1/ipc.flv?action=live')).toMatchObject({ ok: false, status: 404 });
    expect(check({}, `/${cfg.token.slice(1)}x/demo/cam1/ipc.flv?action=live`)).toMatchObject({
      ok: false,
      status: 404,
    });
    for (const action of ['inner_define', 'user_define', 'download', '']) {
      expect(check({}, `/${cfg.token}/demo/cam1/ipc.flv?action=${action}`)).toMatchObject({ ok: false, status: 403 });
    }
    expect(check({}, `/${cfg.token}/demo/cam1/voice?channel=0`)).toMatchObject({ ok: false, status: 403 });
    expect(check({}, `/${cfg.token}/demo/cam1/ipc.flv?action=playback&channel=0`).ok).toBe(true);
  });
});
