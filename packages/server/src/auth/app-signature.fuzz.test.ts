/**
 * App signatures arrive in headers and query strings from anyone: arbitrary fields, targets and bodies
 * must be refused without an exception, and a genuine signature with any one field altered must never
 * pass. Messages from Redis (cluster bus) get the same treatment.
 */
import { signAppRequest } from '@xp2p/protocol';
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { parseBusMessage } from '../cluster/bus-schema.js';
import { signatureFromQuery, splitTarget } from './signature-fields.js';
import { AppAuthenticator } from './app-authenticator.js';
import { NonceCache } from './nonce-cache.js';

const FUZZ_MS = Math.max(100, Number(process.env.FUZZ_SECONDS ?? 2) * 1000);
const runs = { numRuns: Number.MAX_SAFE_INTEGER, interruptAfterTimeLimit: FUZZ_MS };
const app = {
  appid: 'app-fuzz',
  appOauthId: 'oauth',
  appKey: 'key-fuzz-0123456789',
  appSecretKey: 'secret-fuzz-0123456789abcdef0123',
  appPackage: 'dev.fuzz',
};
const field = fc.option(fc.oneof(fc.string({ maxLength: 80 }), fc.constant(app.appKey)), { nil: undefined });

describe('fuzz: app signatures and bus messages', () => {
  it(
    'arbitrary signature fields and targets are refused, never thrown',
    async () => {
      const auth = new AppAuthenticator(
        async (key) => (key === app.appKey ? app : undefined),
        new NonceCache(1_000_000),
      );
      await fc.assert(
        fc.asyncProperty(
          fc.record({ appKey: field, timestamp: field, nonce: field, signature: field }),
          fc.string({ maxLength: 200 }),
          fc.oneof(fc.string({ maxLength: 100 }), fc.uint8Array({ maxLength: 100 })),
          fc.option(fc.string({ maxLength: 80 }), { nil: undefined }),
          async (fields, target, body, host) => {
            const { path, query } = splitTarget(target);
            for (const f of [fields, signatureFromQuery(query)]) {
              const verdict = await auth.verify(f, { method: 'GET', host, path, body });
              if (verdict.ok) throw new Error('an arbitrary signature passed');
            }
          },
        ),
        runs,
      );
    },
    FUZZ_MS + 60_000,
  );

  it(
    'a genuine signature with one field altered never passes',
    async () => {
      const auth = new AppAuthenticator(
        async (key) => (key === app.appKey ? app : undefined),
        new NonceCache(1_000_000),
      );
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom('timestamp', 'nonce', 'signature', 'host', 'path', 'body'),
          fc.stringMatching(/^[a-z0-9.-]{1,8}$/),
          async (which, extra) => {
            const sig = await signAppRequest(app, 'POST', 'https://cams.example:8443/api/xp2pinfo', '{"a":1}');
            const fields = {
              appKey: sig.appKey,
              timestamp: String(sig.timestamp),
              nonce: sig.nonce,
              signature: sig.signature,
            };
            const request = { method: 'POST', host: 'cams.example:8443', path: '/api/xp2pinfo', body: '{"a":1}' };
            // another host name (the port is not signed: proxies drop it)
            if (which === 'host') request.host = `${extra}.cams.example:8443`;
            else if (which === 'path' || which === 'body') request[which] += extra;
            else fields[which] += extra;
            if ((await auth.verify(fields, request)).ok) throw new Error(`altered ${which} passed`);
          },
        ),
        runs,
      );
    },
    FUZZ_MS + 60_000,
  );

  it(
    'arbitrary Redis messages are parsed or dropped, never thrown',
    () => {
      const json = fc.oneof(
        fc.string({ maxLength: 200 }),
        fc.json({ maxDepth: 4 }),
        fc
          .record({
            t: fc.constantFrom('to-device', 'to-viewer', 'device-replaced', 'peer-signal', 'peer-left', 'x'),
            from: fc.string({ maxLength: 10 }),
            message: fc.json({ maxDepth: 2 }).map((j) => JSON.parse(j) as unknown),
          })
          .map((o) => JSON.stringify(o)),
      );
      fc.assert(
        fc.property(json, (text) => void parseBusMessage(text)),
        runs,
      );
    },
    FUZZ_MS + 60_000,
  );
});
