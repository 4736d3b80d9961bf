/**
 * HTTPS/WSS from a certificate and key on disk (PEM), reloaded without a restart: both files are polled
 * (stat polling survives the rename-into-place that certbot and friends do, which fs.watch loses), and a
 * change is applied with `server.setSecureContext` once the pair loads and matches. New connections get
 * the new certificate; open ones keep theirs. A half-written pair (cert updated, key not yet) is refused
 * and the old pair stays in use until the next change.
 */
import { readFileSync, unwatchFile, watchFile, type Stats } from 'node:fs';
import type { Server as HttpsServer } from 'node:https';
import { createSecureContext } from 'node:tls';
import { ConfigError } from '../errors.js';

/** PEM files of the server's certificate chain and key (reloaded when they change). */
export interface TlsFiles {
  certFile: string;
  keyFile: string;
}

export interface TlsPair {
  cert: Buffer;
  key: Buffer;
}

/** Reads and checks the pair; ConfigError naming the file when it cannot be used. */
export function loadTlsPair(files: TlsFiles): TlsPair {
  const read = (path: string, what: string): Buffer => {
    try {
      return readFileSync(path);
    } catch (err) {
      throw new ConfigError(`cannot read TLS ${what} (${(err as Error).message})`, path);
    }
  };
  const pair = { cert: read(files.certFile, 'certificate'), key: read(files.keyFile, 'key') };
  try {
    createSecureContext(pair); // throws on bad PEM and on a key that does not match the certificate
  } catch (err) {
    throw new ConfigError(
      `TLS certificate and key cannot be used together (${(err as Error).message})`,
      files.certFile,
    );
  }
  return pair;
}

/** Starts polling; returns a function that stops it. */
export function watchTlsFiles(
  server: HttpsServer,
  files: TlsFiles,
  pollMs: number,
  log: (line: string) => void,
): () => void {
  const onChange = (now: Stats, before: Stats): void => {
    if (now.mtimeMs === before.mtimeMs && now.size === before.size) return;
    try {
      server.setSecureContext(loadTlsPair(files));
      log(`tls: certificate reloaded from ${files.certFile}`);
    } catch (err) {
      log(`tls: reload failed, keeping the previous certificate: ${(err as Error).message}`);
    }
  };
  const options = { interval: pollMs, persistent: false };
  watchFile(files.certFile, options, onChange);
  watchFile(files.keyFile, options, onChange);
  return () => {
    unwatchFile(files.certFile, onChange);
    unwatchFile(files.keyFile, onChange);
  };
}
