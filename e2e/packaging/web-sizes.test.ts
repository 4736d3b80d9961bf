/**
 * What a browser downloads stays small: the browser sdk bundle (@xp2p/sdk/browser + the mpegts.js glue)
 * and everything the web app's page loads, gzipped, against the budgets in WEB_SIZE_BUDGETS. The bundle is
 * one self-contained ESM file whose one .d.ts type-checks a page's code with nothing else installed.
 * Needs the build (`npm run build`; npm test's pretest runs it).
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { measureWebSizes, webRoot, WEB_SIZE_BUDGETS } from '@xp2p/web';

const run = promisify(execFile);
const TSC = fileURLToPath(new URL('../../node_modules/typescript/bin/tsc', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'xp2p-sdk-types-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('browser bundle sizes', () => {
  const sizes = measureWebSizes();

  it(`the sdk bundle is at most ${WEB_SIZE_BUDGETS.sdkGzipBytes} bytes gzipped`, () => {
    expect(sizes.sdk.gzipBytes).toBeGreaterThan(10_000); // it is the real bundle, not an empty file
    expect(sizes.sdk.gzipBytes).toBeLessThanOrEqual(WEB_SIZE_BUDGETS.sdkGzipBytes);
  });

  it(`everything the web app loads is at most ${WEB_SIZE_BUDGETS.appGzipBytes} bytes gzipped`, () => {
    expect(sizes.appFiles.map((f) => f.file)).toEqual(['index.html', 'app.css', 'app.js']);
    expect(sizes.appGzipBytes).toBeLessThanOrEqual(WEB_SIZE_BUDGETS.appGzipBytes);
  });

  it('the sdk bundle imports nothing: one file a page loads as it is', () => {
    const code = readFileSync(join(webRoot(), 'sdk/xp2p-sdk.js'), 'utf8');
    expect(code.match(/\bfrom\s*["'][^"']+["']|\bimport\s*\(\s*["'][^"']+["']\s*\)/g) ?? []).toEqual([]);
    expect(code).toMatch(/export\s*\{[^}]*\bcreateBrowserP2PModule\b/);
    expect(code).toMatch(/export\s*\{[^}]*\bplayP2PFlv\b/);
  });
});

describe('the bundle declarations', () => {
  it('type-check a page using the sdk and the player glue, with nothing else installed', async () => {
    copyFileSync(join(webRoot(), 'sdk/xp2p-sdk.d.ts'), join(scratch, 'xp2p-sdk.d.ts'));
    writeFileSync(
      join(scratch, 'page.ts'),
      [
        "import { createBrowserP2PModule, playP2PFlv, ErrorCode, type MpegtsModule } from './xp2p-sdk.js';",
        'declare const mpegts: MpegtsModule;',
        'const p2p = createBrowserP2PModule();',
        "const code: number = await p2p.init({ appParams: { appid: 'a', appKey: 'k', appSecretKey: 's', serverUrl: 'https://x' } });",
        "const video = document.createElement('video');",
        'const view = playP2PFlv({ mpegts, video });',
        'export const ok = code === ErrorCode.OK && view !== undefined;',
        '// @ts-expect-error the module has no such export',
        "import { notAnExport } from './xp2p-sdk.js';",
        'void notAnExport;',
        '',
      ].join('\n'),
    );
    writeFileSync(
      join(scratch, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          noEmit: true,
          target: 'ES2022',
          module: 'ESNext',
          moduleResolution: 'Bundler',
          lib: ['ES2023', 'DOM'],
          types: [],
        },
        files: ['page.ts'],
      }),
    );
    const result = await run(process.execPath, [TSC, '-p', scratch]).catch((err: { stdout: string }) => err);
    expect(result.stdout).toBe('');
  }, 60_000);
});
