/** One STUN request over UDP and its answer (matched by transaction id), resent every 500 ms until the timeout (RFC 8489 §6.2.1). */
import { createSocket, type Socket } from 'node:dgram';
import { decodeStunMessage, type StunMessage } from '@xp2p/protocol';

const RESEND_MS = 500;

export function exchange(
  socket: Socket,
  to: { host: string; port: number },
  request: Uint8Array,
  transactionId: Uint8Array,
  timeoutMs: number,
): Promise<StunMessage> {
  return new Promise((resolve, reject) => {
    const send = () => socket.send(request, to.port, to.host, (err) => err && done(err));
    const resend = setInterval(send, RESEND_MS);
    const timer = setTimeout(
      () => done(new Error(`no answer from ${to.host}:${to.port} within ${timeoutMs} ms`)),
      timeoutMs,
    );
    function onMessage(data: Buffer) {
      const m = decodeStunMessage(new Uint8Array(data));
      if (m && Buffer.from(m.transactionId).equals(Buffer.from(transactionId))) done(undefined, m);
    }
    function done(err: Error | undefined, m?: StunMessage) {
      clearInterval(resend);
      clearTimeout(timer);
      socket.off('message', onMessage);
      if (err) reject(err);
      else resolve(m!);
    }
    socket.on('message', onMessage);
    send();
  });
}

/** Runs `fn` with a fresh UDP socket of the right family for `host`, closed afterwards. */
export async function withUdpSocket<T>(host: string, fn: (socket: Socket) => Promise<T>): Promise<T> {
  const socket = createSocket(host.includes(':') ? 'udp6' : 'udp4');
  try {
    return await fn(socket);
  } finally {
    socket.close();
  }
}
