/** The BENCHMARKS.md section of what browsers download (`xp2p bench-size`; figures from measureWebSizes). */
import type { WebSizes } from '@xp2p/web';
import type { BenchSection } from './bench-section.js';

const kB = (bytes: number | undefined) => (bytes === undefined ? '–' : `${(bytes / 1000).toFixed(1)} kB`);

/** Figures for bench/results.json. */
export function sizeFigures(sizes: WebSizes): Record<string, number> {
  return {
    web_sdk_bytes: sizes.sdk.bytes,
    web_sdk_gzip_bytes: sizes.sdk.gzipBytes,
    web_app_gzip_bytes: sizes.appGzipBytes,
    web_app_bytes: sizes.appFiles.reduce((sum, f) => sum + f.bytes, 0),
  };
}

export function sizeSection(figures: Record<string, number>, budgets: { sdkGzipBytes: number; appGzipBytes: number }) {
  if (figures.web_sdk_gzip_bytes === undefined) return [];
  const section: BenchSection = {
    title: 'Browser downloads',
    method:
      'Built files (`npm run build`), minified by esbuild, gzipped at zlib’s default level as an HTTP server sends them; 1 kB = 1000 bytes. ' +
      '**sdk bundle**: `/sdk/xp2p-sdk.js`, one ESM file of `@xp2p/sdk/browser` and the mpegts.js glue of `@xp2p/player/browser` (mpegts.js not inside), with one standalone `.d.ts`. ' +
      '**web app**: `index.html` and every file it loads (`app.css`, `app.js` with mpegts.js inside). ' +
      'Before the wire schemas moved to `zod/mini` (2026-12-05): sdk 574 kB minified / 137.5 kB gzip (zod 454 kB of it), web app 862 kB / 207 kB. ' +
      'e2e/packaging/web-sizes.test.ts fails when a budget is exceeded.',
    rows: [
      [
        'web_sdk_gzip_bytes',
        `${kB(figures.web_sdk_gzip_bytes)} (${kB(figures.web_sdk_bytes)} minified)`,
        `budget ≤ ${kB(budgets.sdkGzipBytes)}`,
      ],
      [
        'web_app_gzip_bytes',
        `${kB(figures.web_app_gzip_bytes)} (${kB(figures.web_app_bytes)} minified)`,
        `budget ≤ ${kB(budgets.appGzipBytes)}, mpegts.js included`,
      ],
    ],
  };
  return [section];
}
