/**
 * From a client's side of the network: the STUN server answers a Binding request with this machine's
 * public address, and (when the deployment has TURN) the TURN credentials the server hands out work and
 * a relay allocates.
 */
import { randomBytes } from 'node:crypto';
import {
  decodeXorMappedAddress,
  encodeStunMessage,
  StunAttr,
  StunClass,
  StunMethod,
  type IceServer,
} from '@xp2p/protocol';
import type { CheckResult } from './check.js';
import { exchange, withUdpSocket } from './stun-exchange.js';
import { allocateTurnRelay } from './turn-allocate.js';

export interface UdpServer {
  host: string;
  port: number;
}

/** `stun:host:port` / `turn:host:port?transport=udp` → host and port (IPv6 in brackets). */
export function parseIceUrl(url: string): (UdpServer & { scheme: string; transport: string }) | undefined {
  const m = /^(stuns?|turns?):(\[[^\]]+\]|[^:?]+)(?::(\d+))?(?:\?transport=(\w+))?$/.exec(url);
  if (!m) return undefined;
  const scheme = m[1]!;
  const port = m[3] ? Number(m[3]) : scheme.endsWith('s') ? 5349 : 3478;
  return { scheme, host: m[2]!.replace(/^\[|\]$/g, ''), port, transport: m[4] ?? 'udp' };
}

export async function checkStun(server: UdpServer, timeoutMs: number): Promise<CheckResult> {
  const where = `${server.host}:${server.port}`;
  try {
    const mapped = await withUdpSocket(server.host, async (socket) => {
      const id = randomBytes(12);
      const request = encodeStunMessage({
        method: StunMethod.binding,
        cls: StunClass.request,
        transactionId: id,
        attributes: [],
      });
      const answer = await exchange(socket, server, request, id, timeoutMs);
      const value = answer.attributes.find((a) => a.type === StunAttr.xorMappedAddress)?.value;
      return value && decodeXorMappedAddress(value, id);
    });
    if (!mapped)
      return {
        name: 'stun',
        status: 'fail',
        detail: `${where} answered without an address`,
        fix: 'is it a STUN server?',
      };
    return { name: 'stun', status: 'ok', detail: `${where} sees this machine as ${mapped.address}:${mapped.port}` };
  } catch (err) {
    return {
      name: 'stun',
      status: 'fail',
      detail: `${where}: ${(err as Error).message}`,
      fix: `open UDP ${server.port} to the server (firewall, cloud security group); STUN does not pass an HTTP proxy`,
    };
  }
}

/** Every UDP TURN entry of the server's ICE list: its credentials allocate a relay. */
export async function checkTurn(iceServers: readonly IceServer[], timeoutMs: number): Promise<CheckResult[]> {
  const turn = iceServers.flatMap((s) =>
    (Array.isArray(s.urls) ? s.urls : [s.urls])
      .map(parseIceUrl)
      .filter((u) => u?.scheme === 'turn' && u.transport === 'udp')
      .map((u) => ({ ...u!, username: s.username ?? '', credential: s.credential ?? '' })),
  );
  if (turn.length === 0) {
    return [
      {
        name: 'turn',
        status: 'skip',
        detail: 'the server hands out no TURN (UDP) server: viewers behind strict NATs cannot connect',
        fix: 'add turn: {urls, secret} to the config and run coturn (deploy/coturn)',
      },
    ];
  }
  return Promise.all(
    turn.map(async (t): Promise<CheckResult> => {
      const where = `${t.host}:${t.port}`;
      try {
        const relayed = await allocateTurnRelay(t, timeoutMs);
        return {
          name: 'turn',
          status: 'ok',
          detail: `${where} accepted the credentials and allocated relay ${relayed.address}:${relayed.port}`,
        };
      } catch (err) {
        return {
          name: 'turn',
          status: 'fail',
          detail: `${where}: ${(err as Error).message}`,
          fix: 'coturn running with use-auth-secret and the same static-auth-secret as turn.secret; UDP open (deploy/coturn)',
        };
      }
    }),
  );
}
