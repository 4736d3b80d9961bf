/**
 * The camera's own public address, watched: a STUN Binding request (RFC 8489 §6) to the signalling
 * server's STUN service every `intervalMs`, from the address ICE binds to. When the mapped address changes
 * (the camera's router got a new public address, or its NAT forgot the mapping) the camera's signalling
 * TCP connection is as dead as its peer connections, but would take up to two ping intervals to notice;
 * `onChanged` lets the agent re-register at once, so viewers that reconnect (sdk ipc-session.ts) find it.
 */
import { createSocket, type Socket } from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { randomBytes } from 'node:crypto';
import { decodeBindingResponse, encodeBindingRequest, sameTransactionId, type IceServer } from '@xp2p/protocol';
import { DEVICE_DEFAULTS } from './defaults.js';

export interface StunTarget {
  host: string;
  port: number;
}

/** The `stun:` entries of an ICE server list; 0.0.0.0 (a server on every interface) becomes `fallbackHost`. */
export function stunTargetsOf(iceServers: readonly IceServer[], fallbackHost: string): StunTarget[] {
  const out: StunTarget[] = [];
  for (const s of iceServers) {
    for (const url of Array.isArray(s.urls) ? s.urls : [s.urls]) {
      const m = /^stuns?:(\[[^\]]+\]|[^:/?\s]+)(?::(\d{1,5}))?/i.exec(String(url));
      if (!m) continue;
      const host = m[1] === '0.0.0.0' ? fallbackHost : (m[1] ?? '');
      const port = m[2] ? Number(m[2]) : 3478;
      if (host && !host.startsWith('[') && port > 0 && port < 65536) out.push({ host, port });
    }
  }
  return out;
}

/** One Binding request, retransmitted (RFC 8489 §6.2.1, shortened); the mapped "address:port" or undefined. */
export async function stunMappedAddress(
  target: StunTarget,
  options: { bindAddress?: string; rtoMs?: number; attempts?: number } = {},
): Promise<string | undefined> {
  const address = isIP(target.host) ? target.host : (await lookup(target.host, { family: 4 })).address;
  const socket: Socket = createSocket('udp4');
  socket.on('error', () => {
    /* ICMP errors only mean "no answer" */
  });
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, options.bindAddress, () => resolve());
    });
    const transactionId = new Uint8Array(randomBytes(12));
    const request = encodeBindingRequest(transactionId);
    const answer = new Promise<string>((resolve) => {
      socket.on('message', (msg: Buffer) => {
        const r = decodeBindingResponse(new Uint8Array(msg.buffer, msg.byteOffset, msg.byteLength));
        if (r?.mapped && !r.error && sameTransactionId(r.transactionId, transactionId)) {
          resolve(`${r.mapped.address}:${r.mapped.port}`);
        }
      });
    });
    let rto = options.rtoMs ?? DEVICE_DEFAULTS.natProbeRtoMs;
    for (let i = 0; i < (options.attempts ?? DEVICE_DEFAULTS.natProbeAttempts); i++) {
      socket.send(request, target.port, address);
      let timer: ReturnType<typeof setTimeout> | undefined;
      const got = await Promise.race([
        answer,
        new Promise<undefined>((r) => (timer = setTimeout(() => r(undefined), rto))),
      ]);
      clearTimeout(timer);
      if (got) return got;
      rto *= 2;
    }
    return undefined;
  } finally {
    socket.close();
  }
}

export interface NatWatchOptions {
  /** where to ask (the server's STUN service, from the login's ICE servers) */
  targets: () => StunTarget[];
  bindAddress?: string;
  intervalMs: number;
  /** the public address (IP only: ports differ per socket behind most NATs) changed */
  onChanged: (previous: string, current: string) => void;
  log: (line: string) => void;
}

export class NatWatch {
  private timer: ReturnType<typeof setInterval> | undefined;
  private running = false;
  private publicIp: string | undefined;

  constructor(private readonly o: NatWatchOptions) {}

  get address(): string | undefined {
    return this.publicIp;
  }

  start(): void {
    if (this.timer || !(this.o.intervalMs > 0)) return;
    this.timer = setInterval(() => void this.check(), this.o.intervalMs);
    this.timer.unref();
    void this.check();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Probes once (skipped while one is running); reports a change of the public IP. */
  async check(): Promise<void> {
    const target = this.o.targets()[0];
    if (this.running || !target) return;
    this.running = true;
    try {
      const mapped = await stunMappedAddress(target, this.o.bindAddress ? { bindAddress: this.o.bindAddress } : {});
      if (!mapped || !this.timer) return;
      const ip = mapped.slice(0, mapped.lastIndexOf(':'));
      const previous = this.publicIp;
      this.publicIp = ip;
      if (previous === undefined) this.o.log(`public address ${ip} (STUN ${target.host}:${target.port})`);
      else if (previous !== ip) this.o.onChanged(previous, ip);
    } catch (err) {
      this.o.log(`NAT probe failed: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      this.running = false;
    }
  }
}
