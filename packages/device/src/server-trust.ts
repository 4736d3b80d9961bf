/**
 * How the camera trusts its signalling server. By default: TLS verified against the system's CAs, and no
 * plaintext to another machine (protocol/secure-transport.ts). An operator can pin the server instead:
 * `serverCa` (PEM: only that CA, or that self-signed certificate, is trusted) or `serverFingerprint` (the
 * certificate's SHA-256, as `openssl x509 -fingerprint -sha256` prints it: any chain, that one
 * certificate). A pinned fingerprint is checked on the TLS socket before the camera answers the login
 * challenge, so a server with another certificate never gets a proof.
 */
import type { TLSSocket } from 'node:tls';
import type { ClientOptions } from 'ws';

export interface ServerTrust {
  /** PEM of the CA (or self-signed certificate) to trust instead of the system's */
  serverCa?: string | Buffer;
  /** SHA-256 fingerprint of the server's certificate, hex, colons optional */
  serverFingerprint?: string;
}

export class ServerCertificateError extends Error {
  override name = 'ServerCertificateError';
}

const normalise = (fp: string): string => fp.replace(/:/g, '').toUpperCase();

export function isFingerprint(fp: string): boolean {
  return /^[0-9A-F]{64}$/.test(normalise(fp));
}

/** Options for the `ws` client (passed to https.request). */
export function tlsClientOptions(trust: ServerTrust): ClientOptions {
  if (trust.serverFingerprint) return { rejectUnauthorized: false }; // checked by checkPinnedSocket
  if (trust.serverCa) return { ca: trust.serverCa };
  return {};
}

/** Throws ServerCertificateError when a fingerprint is pinned and the socket's certificate is another. */
export function checkPinnedSocket(socket: TLSSocket | undefined, trust: ServerTrust): void {
  if (!trust.serverFingerprint) return;
  const cert = socket?.getPeerCertificate?.();
  const got = cert?.fingerprint256 ? normalise(cert.fingerprint256) : '(no certificate)';
  if (got !== normalise(trust.serverFingerprint)) {
    throw new ServerCertificateError(`server certificate fingerprint ${got} is not the pinned one`);
  }
}
