#!/usr/bin/env node
/**
 * Builds the browser side into dist/app/ (what the server serves at `/`, see webRoot(); dist/node is
 * the Node helpers, built by tsc -b):
 *   dist/app/app.js, index.html, app.css   the web app
 *   dist/app/sdk/xp2p-sdk.js (+ .d.ts)     for any page: one ESM file of @xp2p/sdk/browser and the mpegts.js
 *                                          glue of @xp2p/player/browser (src/sdk-bundle), with one
 *                                          standalone .d.ts (scripts/sdk-types.mjs)
 *   dist/app/sdk/mpegts.js                 mpegts.js's own build, for such pages
 * Both bundle the TypeScript sources (the `source` export condition) for `platform: 'browser'`; a Node
 * built-in anywhere in the sdk makes the build fail, which is the check that the shared code stays portable.
 * `--watch` rebuilds on change.
 */
import { builtinModules, createRequire } from 'node:module';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { writeSdkTypes } from './sdk-types.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const pkg = join(here, '..');
const dist = join(pkg, 'dist', 'app');

/** Fails the build on any Node built-in, with the importing file named (esbuild's own error is vaguer). */
const noNodeBuiltins = {
  name: 'no-node-builtins',
  setup(build) {
    const builtins = new Set(builtinModules);
    build.onResolve({ filter: /.*/ }, (args) => {
      const name = args.path.replace(/^node:/, '').split('/')[0];
      if (args.path.startsWith('node:') || builtins.has(name)) {
        return {
          errors: [{ text: `Node built-in "${args.path}" imported by ${args.importer}: browser code must not use it` }],
        };
      }
      return undefined;
    });
  },
};

const common = {
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: ['chrome100', 'firefox100', 'safari15'],
  conditions: ['source'],
  sourcemap: 'linked',
  minify: true,
  legalComments: 'linked',
  logLevel: 'warning',
  absWorkingDir: pkg,
  plugins: [noNodeBuiltins],
};

const watch = process.argv.includes('--watch');
rmSync(dist, { recursive: true, force: true });
mkdirSync(join(dist, 'sdk'), { recursive: true });
copyFileSync(join(pkg, 'src/index.html'), join(dist, 'index.html'));
copyFileSync(join(pkg, 'src/app.css'), join(dist, 'app.css'));
// mpegts.js as its authors ship it (UMD: `window.mpegts`), for pages that load xp2p-sdk.js (docs/examples).
const mpegtsDist = join(dirname(createRequire(import.meta.url).resolve('mpegts.js/package.json')), 'dist');
copyFileSync(join(mpegtsDist, 'mpegts.js'), join(dist, 'sdk/mpegts.js'));
copyFileSync(join(mpegtsDist, 'mpegts.js.LICENSE.txt'), join(dist, 'sdk/mpegts.js.LICENSE.txt'));

const builds = [
  { ...common, entryPoints: { app: join(pkg, 'src/app/main.ts') }, outdir: dist, metafile: true },
  {
    ...common,
    entryPoints: [{ in: join(pkg, 'src/sdk-bundle/index.ts'), out: 'xp2p-sdk' }],
    outdir: join(dist, 'sdk'),
    metafile: true,
  },
];

if (watch) {
  for (const b of builds) await (await esbuild.context(b)).watch();
  console.log(`web: watching; output in ${dist}`);
} else {
  for (const b of builds) {
    const result = await esbuild.build(b);
    for (const [file, out] of Object.entries(result.metafile.outputs)) {
      if (file.endsWith('.js')) console.log(`web: ${file.replace(`${pkg}/`, '')} ${(out.bytes / 1024).toFixed(0)} kB`);
    }
  }
  // Types of the bundle, from the packages' declarations (tsc -b emits them before this build runs).
  await writeSdkTypes(pkg, join(dist, 'sdk/xp2p-sdk.d.ts'));
}
