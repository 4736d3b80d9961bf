/**
 * What a browser downloads: the sizes of the built web app and of the browser sdk bundle, gzipped the way
 * an HTTP server sends them (zlib's default level). The budgets are the issue's: the sdk bundle without
 * mpegts.js ≤ 60 kB, everything the web app's page loads (mpegts.js included) ≤ 170 kB. Measured by
 * `xp2p bench` into BENCHMARKS.md and checked by e2e/packaging/web-sizes.test.ts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { webRoot } from './web-root.js';

/** Gzipped byte budgets (1 kB = 1000 bytes). */
export const WEB_SIZE_BUDGETS = Object.freeze({
  /** dist/app/sdk/xp2p-sdk.js: @xp2p/sdk/browser + the mpegts.js glue, mpegts.js not inside */
  sdkGzipBytes: 60_000,
  /** index.html and every file it loads (app.js bundles mpegts.js) */
  appGzipBytes: 170_000,
});

export interface WebFileSize {
  /** path under dist/app */
  file: string;
  bytes: number;
  gzipBytes: number;
}

export interface WebSizes {
  sdk: WebFileSize;
  /** index.html first, then what it references */
  appFiles: WebFileSize[];
  appGzipBytes: number;
}

function sizeOf(root: string, file: string): WebFileSize {
  const bytes = readFileSync(join(root, file));
  return { file, bytes: bytes.byteLength, gzipBytes: gzipSync(bytes).byteLength };
}

/** The local files index.html loads (scripts, stylesheets, icons), in order. */
export function pageAssets(html: string): string[] {
  const refs = [...html.matchAll(/<(?:script|link)\b[^>]*?\b(?:src|href)="([^"]+)"/g)].map((m) => m[1] ?? '');
  return refs.filter((ref) => !/^(?:[a-z]+:|\/\/|#)/i.test(ref)).map((ref) => ref.replace(/^\.?\//, ''));
}

/** Sizes of the built app in `root` (default: this package's dist/app). */
export function measureWebSizes(root: string = webRoot()): WebSizes {
  const html = readFileSync(join(root, 'index.html'), 'utf8');
  const appFiles = ['index.html', ...pageAssets(html)].map((file) => sizeOf(root, file));
  return {
    sdk: sizeOf(root, 'sdk/xp2p-sdk.js'),
    appFiles,
    appGzipBytes: appFiles.reduce((sum, f) => sum + f.gzipBytes, 0),
  };
}
