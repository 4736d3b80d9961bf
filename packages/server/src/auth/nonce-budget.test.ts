/**
 * The replay cache is shared by every app on the node: one app signing requests as fast as it can would
 * fill it and every other app would get 503. Each app has its own budget inside it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { signedFetch, startTestServer, type TestServer } from '@xp2p/testing/server';

let t: TestServer | undefined;
afterEach(async () => {
  await t?.server.close();
  t = undefined;
});

describe('nonce budget per app', () => {
  it('an app that fills its budget gets 503; another app is still served', async () => {
    t = await startTestServer({ tuning: { maxRememberedNonces: 20, maxRememberedNoncesPerApp: 10 } });
    const statuses: number[] = [];
    for (let i = 0; i < 25; i++) statuses.push((await signedFetch(t, 'GET', '/api/devices')).status);
    expect(statuses.filter((s) => s === 200).length).toBe(10);
    expect(statuses.filter((s) => s === 503).length).toBe(15);
    expect((await signedFetch(t, 'GET', '/api/devices', undefined, { app: t.otherApp })).status).toBe(200);
  });
});
