/**
 * An RFC 5780 (NAT behaviour discovery) STUN responder: listens on two ports of one IP, and on the same two
 * ports of a second IP when given one, answers Binding requests with XOR-MAPPED-ADDRESS, OTHER-ADDRESS
 * (§7.4) and RESPONSE-ORIGIN (§7.3), and honours CHANGE-REQUEST (§7.2) by answering from the socket with
 * the other IP and/or port. A change of IP without a second IP gets 420 (§6.1: the server cannot do it).
 *
 * Separate from stun-server.ts (the plain Binding service ICE uses), so the lead can run it only where a
 * second port (and address) is available.
 */
import { createSocket, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import {
  decodeStunMessage,
  formatIp,
  parseIp,
  encodeStunMessage,
  encodeXorMappedAddress,
  StunAttr,
  StunClass,
  StunMethod,
  type StunAttribute,
  type StunMessage,
} from '@xp2p/protocol';

/** RFC 5780 §7 */
/** RFC 5780 §7 attributes this responder reads and writes (numbers from the protocol codec) */
export const Rfc5780Attr = {
  changeRequest: StunAttr.changeRequest,
  responseOrigin: StunAttr.responseOrigin,
  otherAddress: StunAttr.otherAddress,
} as const;
const ERROR_CODE = StunAttr.errorCode;
const UNKNOWN_ATTRIBUTES = 0x000a;

export interface Rfc5780Server {
  /** primary and alternate port (the same on both IPs) */
  ports: [number, number];
  addresses: string[];
  close(): Promise<void>;
}

/** MAPPED-ADDRESS layout (RFC 8489 §14.1), used by OTHER-ADDRESS and RESPONSE-ORIGIN. */
function encodeAddress(address: string, port: number): Uint8Array {
  const ip = parseIp(address);
  if (!ip) throw new RangeError(`not an IP address: ${address}`);
  const out = new Uint8Array(4 + ip.length);
  out[1] = ip.length === 4 ? 0x01 : 0x02;
  new DataView(out.buffer).setUint16(2, port);
  out.set(ip, 4);
  return out;
}

function errorResponse(request: StunMessage, code: number, reason: string, unknown?: number): Uint8Array {
  const text = new TextEncoder().encode(reason);
  const value = new Uint8Array(4 + text.length);
  value[2] = Math.floor(code / 100);
  value[3] = code % 100;
  value.set(text, 4);
  const attributes: StunAttribute[] = [{ type: ERROR_CODE, value }];
  if (unknown !== undefined)
    attributes.push({ type: UNKNOWN_ATTRIBUTES, value: Uint8Array.of(unknown >> 8, unknown & 0xff) });
  return encodeStunMessage(
    { method: StunMethod.binding, cls: StunClass.errorResponse, transactionId: request.transactionId, attributes },
    { fingerprint: true },
  );
}

/**
 * A STUN server with RFC 5780 NAT behaviour discovery (CHANGE-REQUEST, OTHER-ADDRESS) on two ports, or two
 * addresses and ports.
 *
 * @param addresses one or two local IPs (same family)
 * @param ports primary and alternate port; 0 picks free ones (the alternate then gets its own free port)
 */
export async function startRfc5780Server(
  addresses: string[],
  ports: [number, number] = [0, 0],
  log: (line: string) => void = () => {},
): Promise<Rfc5780Server> {
  if (addresses.length < 1 || addresses.length > 2) throw new RangeError('give one or two addresses');
  const sockets: Socket[] = [];
  const bindOne = async (address: string, port: number): Promise<Socket> => {
    const s = createSocket({ type: isIPv6(address) ? 'udp6' : 'udp4' });
    sockets.push(s);
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.bind(port, address, () => {
        s.off('error', reject);
        resolve();
      });
    });
    s.on('error', (err) => log(`stun5780: socket error: ${err.message}`));
    return s;
  };
  // grid[ipIndex][portIndex]
  const grid: Socket[][] = [];
  try {
    const first = await bindOne(addresses[0]!, ports[0]);
    const second = await bindOne(addresses[0]!, ports[1]);
    grid.push([first, second]);
    const p0 = first.address().port;
    const p1 = second.address().port;
    if (addresses[1]) grid.push([await bindOne(addresses[1], p0), await bindOne(addresses[1], p1)]);
  } catch (err) {
    await Promise.all(sockets.map((s) => new Promise<void>((r) => s.close(() => r()))));
    throw err;
  }
  const portOf = (s: Socket) => s.address().port;
  const ipOf = (i: number) => addresses[i]!;

  grid.forEach((row, ipIndex) =>
    row.forEach((socket, portIndex) => {
      socket.on('message', (datagram, remote) => {
        const request = decodeStunMessage(datagram);
        if (!request || request.method !== StunMethod.binding || request.cls !== StunClass.request) return;
        const change = request.attributes.find((a) => a.type === Rfc5780Attr.changeRequest);
        let changeIp = false;
        let changePort = false;
        if (change) {
          if (change.value.length !== 4)
            return void socket.send(errorResponse(request, 400, 'Bad Request'), remote.port, remote.address);
          const flags = new DataView(change.value.buffer, change.value.byteOffset, 4).getUint32(0);
          changeIp = (flags & 0x4) !== 0;
          changePort = (flags & 0x2) !== 0;
        }
        if (changeIp && grid.length < 2) {
          const reply = errorResponse(
            request,
            420,
            'Unknown Attribute: no alternate address',
            Rfc5780Attr.changeRequest,
          );
          return void socket.send(reply, remote.port, remote.address);
        }
        const fromIp = changeIp ? 1 - ipIndex : ipIndex;
        const fromPort = changePort ? 1 - portIndex : portIndex;
        const out = grid[fromIp]?.[fromPort];
        if (!out) return;
        // OTHER-ADDRESS: the other IP (or, with one IP, the same IP) at the other port (RFC 5780 §7.4)
        const otherIp = grid.length > 1 ? ipOf(1 - ipIndex) : ipOf(ipIndex);
        const otherPort = portOf(grid[0]![1 - portIndex]!);
        let mapped: Uint8Array;
        try {
          mapped = encodeXorMappedAddress(remote, request.transactionId);
        } catch {
          return;
        }
        const response = encodeStunMessage(
          {
            method: StunMethod.binding,
            cls: StunClass.successResponse,
            transactionId: request.transactionId,
            attributes: [
              { type: StunAttr.xorMappedAddress, value: mapped },
              { type: Rfc5780Attr.otherAddress, value: encodeAddress(otherIp, otherPort) },
              { type: Rfc5780Attr.responseOrigin, value: encodeAddress(ipOf(fromIp), portOf(out)) },
            ],
          },
          { fingerprint: true },
        );
        out.send(response, remote.port, remote.address);
      });
    }),
  );
  let closed: Promise<void> | undefined;
  return {
    ports: [portOf(grid[0]![0]!), portOf(grid[0]![1]!)],
    addresses: addresses.map((a) => formatIp(parseIp(a) ?? new Uint8Array())),
    close: () =>
      (closed ??= Promise.all(sockets.map((s) => new Promise<void>((r) => s.close(() => r())))).then(() => {})),
  };
}
