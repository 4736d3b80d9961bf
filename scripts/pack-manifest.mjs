#!/usr/bin/env node
/**
 * The manifest a workspace package is packed with (`npm pack`, `npm publish`): run as the package's
 * `prepack` (`strip`) and `postpack` (`restore`) scripts, in the package's directory.
 *
 * Inside the monorepo every export carries a `source` condition pointing at src/*.ts, so vitest, esbuild
 * and tsc resolve sibling packages to their sources without a build. The tarball ships dist/ only, so
 * the packed manifest must not name src/: a consumer whose bundler enables a `source` condition would
 * otherwise resolve to files that are not there. npm packs the package.json it finds on disk after
 * `prepack`, so `strip` rewrites it (the original kept beside it as .package.json.unpacked) and `restore`
 * puts the original back.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';

const MANIFEST = 'package.json';
const BACKUP = '.package.json.unpacked';

/** The exports map without `source` conditions (recursively: conditions may nest). */
export function withoutSourceCondition(exportsField) {
  if (typeof exportsField !== 'object' || exportsField === null) return exportsField;
  return Object.fromEntries(
    Object.entries(exportsField)
      .filter(([key]) => key !== 'source')
      .map(([key, value]) => [key, withoutSourceCondition(value)]),
  );
}

/** What a consumer needs of the manifest: no `source` conditions, no repo-only scripts or dev deps. */
export function packedManifest(manifest) {
  const { scripts, devDependencies, ...rest } = manifest;
  const kept = { ...rest, exports: withoutSourceCondition(manifest.exports) };
  void scripts;
  void devDependencies;
  return kept;
}

const mode = process.argv[2];
if (mode === 'strip') {
  // A pack that failed after prepack (npm skips postpack then) left the stripped manifest behind: put the
  // original back first, so the next pack heals the tree instead of packing (and keeping) the stripped one.
  if (existsSync(BACKUP)) renameSync(BACKUP, MANIFEST);
  const original = readFileSync(MANIFEST, 'utf8');
  writeFileSync(BACKUP, original);
  writeFileSync(MANIFEST, `${JSON.stringify(packedManifest(JSON.parse(original)), null, 2)}\n`);
} else if (mode === 'restore') {
  if (existsSync(BACKUP)) renameSync(BACKUP, MANIFEST);
} else if (mode !== undefined) {
  throw new Error(`usage: pack-manifest.mjs strip|restore (got ${mode})`);
}
