/**
 * An HTTP request from the camera to its node's origin (the 1vN publish and its readiness check), with the
 * trust of the signalling socket (server-trust.ts): the system's CAs, a pinned CA, or a pinned certificate
 * fingerprint, checked on the TLS socket before a byte of the request (its publish key) is sent.
 */
import { request as httpRequest, type ClientRequest, type OutgoingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { checkPinnedSocket, type ServerTrust } from '../server-trust.js';

export async function originRequest(
  url: URL,
  trust: ServerTrust,
  method: 'GET' | 'POST',
  headers: OutgoingHttpHeaders = {},
): Promise<ClientRequest> {
  const target = { method, headers, host: url.hostname, path: `${url.pathname}${url.search}` };
  if (url.protocol === 'http:') return httpRequest({ ...target, port: url.port || 80 });
  if (!trust.serverFingerprint) {
    return httpsRequest({ ...target, port: url.port || 443, ...(trust.serverCa ? { ca: trust.serverCa } : {}) });
  }
  const socket = tlsConnect({
    host: url.hostname,
    port: Number(url.port || 443),
    ...(isIP(url.hostname) ? {} : { servername: url.hostname }),
    rejectUnauthorized: false, // the pinned fingerprint is the check
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('secureConnect', () => resolve());
    socket.once('error', reject);
  });
  try {
    checkPinnedSocket(socket, trust);
  } catch (err) {
    socket.destroy();
    throw err;
  }
  return httpRequest({ ...target, createConnection: () => socket });
}
