/**
 * A TURN Allocate with long-term credentials (RFC 8656 §7.2, RFC 8489 §9.2): the first request is
 * answered 401 with a realm and nonce; the second carries USERNAME, REALM, NONCE and MESSAGE-INTEGRITY
 * (HMAC-SHA1 keyed with MD5(username:realm:password)) and gets the relayed address. The allocation is
 * released at once (Refresh with LIFETIME 0), so a doctor run holds no relay.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import {
  decodeXorMappedAddress,
  encodeStunMessage,
  StunClass,
  type StunAttribute,
  type StunMessage,
  type TransportAddress,
} from '@xp2p/protocol';
import { exchange, withUdpSocket } from './stun-exchange.js';

const ALLOCATE = 0x003;
const REFRESH = 0x004;
/** RFC 8489 §18.3 and RFC 8656 §18 attribute types */
const ATTR = {
  username: 0x0006,
  messageIntegrity: 0x0008,
  errorCode: 0x0009,
  realm: 0x0014,
  nonce: 0x0015,
  lifetime: 0x000d,
  xorRelayedAddress: 0x0016,
  requestedTransport: 0x0019,
} as const;
const UDP_TRANSPORT = new Uint8Array([17, 0, 0, 0]);

export interface TurnServer {
  host: string;
  port: number;
  username: string;
  credential: string;
}

const text = (s: string) => new TextEncoder().encode(s);
const attr = (m: StunMessage, type: number) => m.attributes.find((a) => a.type === type)?.value;

/** The request's bytes, MESSAGE-INTEGRITY last (§14.5: computed over the message with its length covering it). */
function signedRequest(method: number, transactionId: Uint8Array, attributes: StunAttribute[], key?: Buffer) {
  if (!key) return encodeStunMessage({ method, cls: StunClass.request, transactionId, attributes });
  const withMac = [...attributes, { type: ATTR.messageIntegrity, value: new Uint8Array(20) }];
  const out = encodeStunMessage({ method, cls: StunClass.request, transactionId, attributes: withMac });
  out.set(
    createHmac('sha1', key)
      .update(out.subarray(0, out.length - 24))
      .digest(),
    out.length - 20,
  );
  return out;
}

function errorCode(m: StunMessage): number | undefined {
  const v = attr(m, ATTR.errorCode);
  return v && v.length >= 4 ? (v[2]! & 7) * 100 + v[3]! : undefined;
}

/** Allocates a UDP relay and frees it; resolves the relayed address, rejects with what went wrong. */
export async function allocateTurnRelay(server: TurnServer, timeoutMs: number): Promise<TransportAddress> {
  return withUdpSocket(server.host, async (socket) => {
    const ask = (request: Uint8Array, id: Uint8Array) => exchange(socket, server, request, id, timeoutMs);
    const base = [{ type: ATTR.requestedTransport, value: UDP_TRANSPORT }];
    const firstId = randomBytes(12);
    const challenge = await ask(signedRequest(ALLOCATE, firstId, base), firstId);
    const realm = attr(challenge, ATTR.realm);
    const nonce = attr(challenge, ATTR.nonce);
    if (errorCode(challenge) !== 401 || !realm || !nonce)
      throw new Error('the server did not ask for credentials (not a TURN server?)');
    const realmText = new TextDecoder().decode(realm);
    const key = createHash('md5').update(`${server.username}:${realmText}:${server.credential}`).digest();
    const auth = [
      { type: ATTR.username, value: text(server.username) },
      { type: ATTR.realm, value: realm },
      { type: ATTR.nonce, value: nonce },
    ];
    const id = randomBytes(12);
    // coturn answers a request whose MESSAGE-INTEGRITY does not verify with silence, not a 401
    const refused = "credentials refused: the TURN secret differs from coturn's static-auth-secret";
    const answer = await ask(signedRequest(ALLOCATE, id, [...base, ...auth], key), id).catch((err: Error) => {
      throw new Error(
        `${refused} (it answered the unsigned request, then ${err.message.replace(/^no answer/, 'not the signed one')})`,
      );
    });
    const code = errorCode(answer);
    if (answer.cls !== StunClass.successResponse) {
      throw new Error(code === 401 ? `${refused} (401)` : `Allocate failed with error ${code ?? '?'}`);
    }
    const relayed = attr(answer, ATTR.xorRelayedAddress);
    const address = relayed && decodeXorMappedAddress(relayed, id);
    if (!address) throw new Error('the answer carries no relayed address');
    const refreshId = randomBytes(12);
    const release = [{ type: ATTR.lifetime, value: new Uint8Array(4) }, ...auth];
    await ask(signedRequest(REFRESH, refreshId, release, key), refreshId).catch(() => undefined);
    return address;
  });
}
