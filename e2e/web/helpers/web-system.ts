/**
 * The whole system for a browser test: `xp2p server` and `xp2p device` as processes (e2e/helpers), and
 * the built web app served on 127.0.0.1 from a private copy of packages/web/dist with the dev credentials
 * written beside it, API and WebSocket passed through to the server (same origin, as under webRoot).
 * With `tls` the server itself serves HTTPS + WSS and the app (`--web-root`), as a deployment does, and
 * the server and camera trust the test CA through NODE_EXTRA_CA_CERTS.
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serveWeb, webAppBuilt, webRoot, writeDevCredentials, type WebServer } from '@xp2p/web';
import { startSystem, type TestSystem } from '../../helpers/system.js';
import type { RunningProcess } from '../../helpers/processes.js';

export interface WebSystem {
  sys: TestSystem;
  camera: RunningProcess | undefined;
  web: WebServer;
  /** The page URL (signs in with the dev credentials, opens demo/cam1). */
  pageUrl: string;
  /** Work directory: recordings/, voice/ of the camera. */
  work: string;
  cleanup(): Promise<void>;
}

export interface WebSystemOptions {
  cameraArgs?: string[];
  /** false: the camera stays offline */
  startCamera?: boolean;
  /** Files put in the camera's store before it starts (downloadable as file_type=1). */
  files?: Record<string, Uint8Array>;
  /** Serve over HTTPS with this certificate (for 127.0.0.1) issued by the CA in `caFile`. */
  tls?: { certFile: string; keyFile: string; caFile: string };
}

export async function startWebSystem(o: WebSystemOptions = {}): Promise<WebSystem> {
  if (!webAppBuilt()) throw new Error('the web app is not built: npm run build -w packages/web');
  const work = mkdtempSync(join(tmpdir(), 'xp2p-web-'));
  const root = join(work, 'web');
  cpSync(webRoot(), root, { recursive: true });
  mkdirSync(join(work, 'recordings'), { recursive: true });
  for (const [name, bytes] of Object.entries(o.files ?? {})) writeFileSync(join(work, 'recordings', name), bytes);
  const sys = await startSystem(
    o.tls
      ? {
          serverArgs: ['--tls-cert', o.tls.certFile, '--tls-key', o.tls.keyFile, '--web-root', root],
          env: { NODE_EXTRA_CA_CERTS: o.tls.caFile },
        }
      : {},
  );
  const camera =
    o.startCamera === false
      ? undefined
      : await sys.startDevice([
          '--recordings',
          join(work, 'recordings'),
          '--segment-seconds',
          '2',
          '--voice-dir',
          join(work, 'voice'),
          ...(o.cameraArgs ?? []),
        ]);
  writeDevCredentials(root, sys.appParams, { openCamera: 'demo/cam1' });
  // over TLS the server serves the app itself (it reads the files per request, so the credentials written
  // just now are there); otherwise a plain-HTTP pass-through in front of it
  const web: WebServer = o.tls
    ? { url: sys.serverUrl, close: () => Promise.resolve() }
    : await serveWeb({ upstream: sys.serverUrl, root });
  return {
    sys,
    camera,
    web,
    pageUrl: `${web.url}/`,
    work,
    async cleanup() {
      await web.close();
      sys.cleanup();
      rmSync(work, { recursive: true, force: true });
    },
  };
}
