#!/usr/bin/env node
// The `xp2p` bin. It exists in the repository (not only after the build) because npm links a workspace's bin
// at install time only when its target file exists: pointing the bin at dist/main.js left `npx xp2p` unlinked
// after `npm install` on a fresh clone. The compiled command runs when it is imported.
import { existsSync } from 'node:fs';

const main = new URL('../dist/main.js', import.meta.url);
if (!existsSync(main)) {
  process.stderr.write('xp2p: the cli is not built yet; run `npm run build` (npm start and npm test build it too)\n');
  process.exit(1);
}
await import(main.href);
