/** This package's version, read once from its package.json (one level above both src/ and dist/). */
import { readFileSync } from 'node:fs';

/** This package's version (from its package.json). */
export const SERVER_VERSION: string = (() => {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
})();
