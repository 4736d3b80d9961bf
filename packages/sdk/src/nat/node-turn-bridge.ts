/**
 * TURN over TCP and TLS for Node peers. libdatachannel's ICE agent (libjuice, the one node-datachannel
 * ships) speaks TURN over UDP only ("TURN transports TCP and TLS are not supported with libjuice",
 * src/impl/icetransport.cpp), so a viewer on a network that drops all UDP could not reach any relay.
 *
 * This bridge gives each `turn:HOST:PORT?transport=tcp` / `turns:HOST:PORT` server a local UDP port: ICE
 * sends its TURN messages there as datagrams, and the bridge carries each one over its own TCP (or TLS)
 * connection per local source to the real server, and the server's messages back. Nothing is rewritten:
 * over a stream, TURN messages frame themselves (RFC 8656 §12.5: a STUN message's length is in its
 * header; ChannelData carries its length and is padded to a multiple of 4 over TCP), so the server sees a
 * TURN-over-TCP client (RFC 8656 §3.1: the allocation's 5-tuple is the TCP connection) whose relayed
 * transport is still UDP, and the credentials (HMAC over the message) are untouched. TLS verifies the
 * server's certificate against the system CAs (and NODE_EXTRA_CA_CERTS).
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect as tcpConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { IceServer } from '@xp2p/protocol';

/** A TURN server reached over a stream: where, and whether through TLS. */
export interface StreamTurnTarget {
  host: string;
  port: number;
  tls: boolean;
}

/** `turn:H[:P]?transport=tcp` or `turns:H[:P]` (RFC 7065); undefined for UDP TURN, STUN and anything else. */
export function parseStreamTurnUrl(url: string): StreamTurnTarget | undefined {
  const m = /^(turns?):(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(?::(\d{1,5}))?(?:\?transport=(udp|tcp))?$/i.exec(url.trim());
  if (!m) return undefined;
  const tls = m[1]!.toLowerCase() === 'turns';
  const transport = (m[4] ?? (tls ? 'tcp' : 'udp')).toLowerCase();
  if (transport !== 'tcp') return undefined;
  return { host: m[2]!.replace(/^\[|\]$/g, ''), port: m[3] ? Number(m[3]) : tls ? 5349 : 3478, tls };
}

/** Largest TURN message a stream may carry: a STUN header + 64 KiB, or ChannelData's 4 + 64 KiB padded. */
const MAX_FRAME = 4 + 65_536;

/**
 * Splits a TURN byte stream into messages. Returns the complete ones and what is left over, or 'bad' when
 * the stream is not TURN (then the connection is dropped).
 */
export function splitTurnStream(buffer: Buffer): { frames: Buffer[]; rest: Buffer } | 'bad' {
  const frames: Buffer[] = [];
  let at = 0;
  while (buffer.length - at >= 4) {
    const kind = buffer[at]! >> 6;
    const length = buffer.readUInt16BE(at + 2);
    let size: number;
    let payload: number;
    if (kind === 0) {
      size = payload = 20 + length; // STUN: a 20-byte header, then `length` bytes of attributes
    } else if (kind === 1) {
      payload = 4 + length; // ChannelData: 4-byte header, then the data, padded to 4 on a stream
      size = 4 + Math.ceil(length / 4) * 4;
    } else {
      return 'bad';
    }
    if (size > MAX_FRAME + 20) return 'bad';
    if (buffer.length - at < size) break;
    frames.push(buffer.subarray(at, at + payload));
    at += size;
  }
  return { frames, rest: buffer.subarray(at) };
}

/** A datagram from ICE as a stream frame: ChannelData padded to a multiple of 4 (RFC 8656 §12.5). */
export function toStreamFrame(datagram: Buffer): Buffer {
  if (datagram.length < 4 || datagram[0]! >> 6 !== 1) return datagram;
  const padded = 4 + Math.ceil(datagram.readUInt16BE(2) / 4) * 4;
  if (padded <= datagram.length) return datagram.subarray(0, padded);
  const out = Buffer.alloc(padded);
  datagram.copy(out);
  return out;
}

interface Leg {
  stream: Socket;
  pending: Buffer[] | undefined;
}

/** One local UDP port relaying to one stream TURN server, a connection per local source (ICE socket). */
async function openRelay(target: StreamTurnTarget, bindAddress: string): Promise<{ port: number; close(): void }> {
  const udp: UdpSocket = createSocket(isIP(bindAddress) === 6 ? 'udp6' : 'udp4');
  await new Promise<void>((resolve, reject) => {
    udp.once('error', reject);
    udp.bind(0, bindAddress, () => {
      udp.off('error', reject);
      resolve();
    });
  });
  udp.on('error', () => {});
  const legs = new Map<string, Leg>();
  const legFor = (address: string, port: number): Leg => {
    const key = `${address}|${port}`;
    const existing = legs.get(key);
    if (existing) return existing;
    const options = { host: target.host, port: target.port };
    const stream = target.tls
      ? tlsConnect({ ...options, ...(isIP(target.host) ? {} : { servername: target.host }) })
      : tcpConnect(options);
    const leg: Leg = { stream, pending: [] };
    legs.set(key, leg);
    stream.setNoDelay(true);
    stream.once(target.tls ? 'secureConnect' : 'connect', () => {
      for (const frame of leg.pending ?? []) stream.write(frame);
      leg.pending = undefined;
    });
    let buffered = Buffer.alloc(0);
    stream.on('data', (chunk: Buffer) => {
      const split = splitTurnStream(buffered.length ? Buffer.concat([buffered, chunk]) : chunk);
      if (split === 'bad') return void stream.destroy();
      buffered = Buffer.from(split.rest);
      for (const frame of split.frames) udp.send(frame, port, address);
    });
    // a dead connection is forgotten; ICE's next message opens a new one (its allocation is gone: ICE
    // sees the relay fail, as it would with a TURN server that went away)
    const forget = () => {
      if (legs.get(key) === leg) legs.delete(key);
    };
    stream.on('error', forget);
    stream.on('close', forget);
    return leg;
  };
  udp.on('message', (datagram, from) => {
    const leg = legFor(from.address, from.port);
    const frame = toStreamFrame(datagram);
    if (leg.pending) {
      if (leg.pending.length < 64) leg.pending.push(Buffer.from(frame));
    } else {
      leg.stream.write(frame);
    }
  });
  return {
    port: udp.address().port,
    close() {
      for (const leg of legs.values()) leg.stream.destroy();
      legs.clear();
      udp.close();
    },
  };
}

export interface TurnStreamBridge {
  /**
   * The servers with every stream TURN URL (TCP or TLS) replaced by a UDP TURN URL on a local bridge port
   * (same credentials); other URLs as they were. Bridges are opened once per server and kept.
   */
  rewrite(servers: readonly IceServer[]): Promise<IceServer[]>;
  close(): void;
}

/** `bindAddress`: where the local ports listen (ICE's own bind address reaches them; default 127.0.0.1). */
export function createTurnStreamBridge(bindAddress = '127.0.0.1'): TurnStreamBridge {
  const relays = new Map<string, Promise<{ port: number; close(): void }>>();
  let closed = false;
  const localUrl = async (url: string): Promise<string> => {
    const target = parseStreamTurnUrl(url);
    if (!target || closed) return url;
    const key = `${target.tls ? 'tls' : 'tcp'}|${target.host}|${target.port}`;
    let relay = relays.get(key);
    if (!relay) {
      relay = openRelay(target, bindAddress);
      relays.set(key, relay);
      relay.catch(() => relays.delete(key));
    }
    const { port } = await relay;
    const host = isIP(bindAddress) === 6 ? `[${bindAddress}]` : bindAddress;
    return `turn:${host}:${port}?transport=udp`;
  };
  return {
    async rewrite(servers) {
      return Promise.all(
        servers.map(async (s) => {
          const urls = await Promise.all([s.urls].flat().map(localUrl));
          return { ...s, urls: Array.isArray(s.urls) ? urls : urls[0]! };
        }),
      );
    },
    close() {
      closed = true;
      for (const relay of relays.values())
        void relay.then(
          (r) => r.close(),
          () => {},
        );
      relays.clear();
    },
  };
}
