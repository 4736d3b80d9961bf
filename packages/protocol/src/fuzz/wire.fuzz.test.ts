/**
 * Every other parser that reads bytes or text from outside: STUN, the request framing of the 1v1 data
 * channels, signalling and tracker messages, the 1vN chunk wire, xp2pInfo and viewer tokens. Each must
 * answer arbitrary input with its documented refusal (undefined, {ok: false}, XP2PError), never another
 * exception, and read back what its own encoder writes.
 */
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { signViewerToken, peekViewerToken, verifyViewerToken } from '../auth/viewer-token.js';
import { XP2PError } from '../errors.js';
import { parseControlFrame } from '../framing/control.js';
import { encodeFrame, parseRequestFrame, parseResponseFrame } from '../framing/messages.js';
import { isRequestPath } from '../framing/request-path.js';
import { parseSignal, serverToViewerSchema, SIGNAL_MAX_BYTES, viewerToServerSchema } from '../signal/messages.js';
import { deviceToServerSchema, serverToDeviceSchema } from '../signal/device-messages.js';
import { encodeRelayFrame, parseRelayFrame } from '../signal/start-relay-binary.js';
import { decodeBindingResponse } from '../stun/binding.js';
import { decodeStunMessage, encodeStunMessage, type StunMessage } from '../stun/message.js';
import { decodePiece, encodePiece, peerMessageSchema, SWARM_MAX_PIECE_BYTES } from '../swarm/peer-wire.js';
import { peerToTrackerSchema, trackerToPeerSchema } from '../swarm/tracker-messages.js';
import { decodeXp2pInfo, encodeXp2pInfo } from '../xp2p-info.js';
import { FUZZ_TEST_TIMEOUT, fuzzRuns, onlyThrows } from './budget.test-support.js';

/** Text that is often JSON with the right field names, so the schemas' inner checks get exercised. */
const FIELD_NAMES = ['type', 'v', 'sessionId', 'sdp', 'token', 'candidate', 'status', 'message', 'seq', 'kind', 'path'];
const jsonish = fc.oneof(
  fc.string({ maxLength: 300 }),
  fc.json({ maxDepth: 3 }),
  fc
    .dictionary(
      fc.constantFrom(...FIELD_NAMES),
      fc.oneof(fc.string({ maxLength: 20 }), fc.integer(), fc.constant(null)),
    )
    .map((o) => JSON.stringify(o)),
);

describe('fuzz: wire parsers', () => {
  it(
    'STUN: arbitrary datagrams decode or give undefined; encoded messages decode back',
    () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
          decodeStunMessage(bytes);
          decodeBindingResponse(bytes);
        }),
        fuzzRuns(),
      );
      const message = fc.record({
        method: fc.integer({ min: 0, max: 0xfff }),
        cls: fc.integer({ min: 0, max: 3 }),
        transactionId: fc.uint8Array({ minLength: 12, maxLength: 12 }),
        attributes: fc.array(
          fc.record({ type: fc.integer({ min: 0, max: 0x7fff }), value: fc.uint8Array({ maxLength: 40 }) }),
          { maxLength: 5 },
        ),
      });
      fc.assert(
        fc.property(message, fc.boolean(), (m, fingerprint) => {
          const back = decodeStunMessage(encodeStunMessage(m as Omit<StunMessage, 'hasFingerprint'>, { fingerprint }));
          if (!back || back.method !== m.method || back.cls !== m.cls) throw new Error('STUN message changed');
          if (back.hasFingerprint !== fingerprint) throw new Error('fingerprint lost');
        }),
        fuzzRuns(),
      );
    },
    FUZZ_TEST_TIMEOUT * 2,
  );

  it(
    'request framing and control frames: arbitrary text is refused with {ok: false}; frames read back',
    () => {
      fc.assert(
        fc.property(fc.oneof(jsonish, fc.anything()), (raw) => {
          if (typeof raw === 'string') {
            parseRequestFrame(raw);
            parseResponseFrame(raw);
          }
          parseControlFrame(raw);
        }),
        fuzzRuns(),
      );
      const request = fc.record({
        type: fc.constant('request' as const),
        v: fc.constant(1 as const),
        // every path the one request-path rule allows (framing/request-path.ts: no `..` anywhere)
        path: fc.stringMatching(/^[A-Za-z0-9_.-]{1,40}$/).filter(isRequestPath),
        query: fc.string({ maxLength: 200 }),
      });
      fc.assert(
        fc.property(request, (frame) => {
          const back = parseRequestFrame(encodeFrame(frame));
          if (!back.ok || back.message.path !== frame.path || back.message.query !== frame.query)
            throw new Error(`request frame changed: ${JSON.stringify(back)}`);
        }),
        fuzzRuns(),
      );
    },
    FUZZ_TEST_TIMEOUT * 2,
  );

  it(
    'signalling, tracker and peer messages: arbitrary input never throws, oversize is refused',
    () => {
      const schemas = [
        viewerToServerSchema,
        serverToViewerSchema,
        deviceToServerSchema,
        serverToDeviceSchema,
        peerToTrackerSchema,
        trackerToPeerSchema,
        peerMessageSchema,
      ];
      fc.assert(
        fc.property(fc.oneof(jsonish, fc.uint8Array({ maxLength: 300 }), fc.anything()), (raw) => {
          for (const schema of schemas) parseSignal(schema as never, raw);
        }),
        fuzzRuns(),
      );
      const huge = JSON.stringify({ type: 'ping', pad: 'x'.repeat(SIGNAL_MAX_BYTES) });
      if (parseSignal(viewerToServerSchema, huge).ok) throw new Error('an oversize message was accepted');
    },
    FUZZ_TEST_TIMEOUT,
  );

  it(
    'binary relay frames: arbitrary bytes never throw; what parses re-encodes to the same bytes',
    () => {
      const relayish = fc
        .tuple(fc.uint8Array({ minLength: 8, maxLength: 12 }), fc.uint8Array({ maxLength: 200 }))
        .map(([id, rest]) => Uint8Array.from([0x52, id.length, ...id.map((b) => 0x61 + (b % 26)), ...rest]));
      fc.assert(
        fc.property(fc.oneof(relayish, fc.uint8Array({ maxLength: 300 })), (bytes) => {
          const parsed = parseRelayFrame(bytes);
          if (parsed.ok && encodeRelayFrame(parsed.message).join() !== bytes.join()) {
            throw new Error('a parsed relay frame does not re-encode to its bytes');
          }
        }),
        fuzzRuns(),
      );
    },
    FUZZ_TEST_TIMEOUT,
  );

  it(
    'chunk wire: arbitrary frames decode or give undefined; pieces read back',
    () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => void decodePiece(bytes)),
        fuzzRuns(),
      );
      fc.assert(
        fc.property(
          fc.nat(),
          fc.nat(),
          fc.uint8Array({ maxLength: 2_000 }).filter((p) => p.byteLength <= SWARM_MAX_PIECE_BYTES),
          (seq, offset, payload) => {
            let frame: Uint8Array;
            try {
              frame = encodePiece(seq, offset, payload);
            } catch (err) {
              if (err instanceof RangeError) return; // numbers the wire cannot carry are refused at the source
              throw err;
            }
            const back = decodePiece(frame);
            if (!back || back.seq !== seq || back.offset !== offset || !Buffer.from(back.payload).equals(payload))
              throw new Error('piece changed');
          },
        ),
        fuzzRuns(),
      );
    },
    FUZZ_TEST_TIMEOUT * 2,
  );

  it(
    'xp2pInfo: arbitrary text throws only XP2PError; encoded infos read back',
    () => {
      const b64ish = fc.string({ maxLength: 200 }).map((s) => `XP2P${Buffer.from(s).toString('base64')}%2.4.50`);
      fc.assert(
        fc.property(fc.oneof(fc.string({ maxLength: 300 }), b64ish, fc.anything()), (text) => {
          onlyThrows(() => decodeXp2pInfo(text), XP2PError);
        }),
        fuzzRuns(),
      );
      const name = fc.stringMatching(/^[A-Za-z0-9_-]{1,20}$/);
      fc.assert(
        fc.property(name, name, fc.string({ minLength: 1, maxLength: 100 }), (productId, deviceName, token) => {
          const info = { payload: { v: 1 as const, productId, deviceName, token }, deviceVersion: '2.4.50', flags: '' };
          const back = decodeXp2pInfo(encodeXp2pInfo(info));
          if (JSON.stringify(back) !== JSON.stringify(info)) throw new Error('xp2pInfo changed');
        }),
        fuzzRuns(),
      );
    },
    FUZZ_TEST_TIMEOUT * 2,
  );

  it(
    'viewer tokens: arbitrary or altered tokens never verify and never throw',
    async () => {
      const secret = 'device-secret-for-fuzzing';
      const device = { productId: 'demo', deviceName: 'cam1' };
      const good = await signViewerToken(secret, { appid: 'app', ...device, user: 'app', role: 'owner' });
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            fc.string({ maxLength: 200 }),
            fc
              .tuple(fc.nat({ max: good.length - 1 }), fc.string({ minLength: 1, maxLength: 1 }))
              .map(([i, c]) => good.slice(0, i) + c + good.slice(i + 1)),
          ),
          async (token) => {
            peekViewerToken(token);
            const check = await verifyViewerToken(secret, token, device);
            if (check.ok && token !== good) throw new Error(`an altered token verified: ${token}`);
          },
        ),
        fuzzRuns(),
      );
    },
    FUZZ_TEST_TIMEOUT,
  );
});
