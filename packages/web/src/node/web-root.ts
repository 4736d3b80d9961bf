/** Where the built web app is: the directory a server serves at `/` (`startServer({ webRoot: webRoot() })`). */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * Absolute path of packages/web/dist/app (dist/node holds this Node code, never served). This file runs
 * as src/node/web-root.ts (sources) or dist/node/web-root.js (built): both sit two levels down.
 */
export function webRoot(): string {
  return fileURLToPath(new URL('../../dist/app/', import.meta.url)).replace(/\/$/, '');
}

/** True when `npm run build -w packages/web` has produced the app. */
export function webAppBuilt(): boolean {
  return existsSync(`${webRoot()}/index.html`);
}
