/**
 * The API reference builds from the packages' public exports without a warning: TypeDoc (typedoc.json)
 * treats every warning as an error (broken {@link}s, exported APIs naming types that are not exported,
 * an export of @xp2p/player or @xp2p/server without a doc comment: typedoc.json lists the packages held to
 * that so far), into a temp directory so it never races `npm run docs`.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const out = mkdtempSync(join(tmpdir(), 'xp2p-docs-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

it('npm run docs builds the API reference with no warning', async () => {
  const result = await run(process.execPath, [join(ROOT, 'node_modules/typedoc/bin/typedoc'), '--out', out], {
    cwd: ROOT,
    maxBuffer: 16 * 1024 * 1024,
  }).catch((err: { stdout: string; stderr: string; code: number }) => err);
  const output = `${result.stdout}${result.stderr}`;
  expect(output).not.toMatch(/warning|error/i);
  for (const page of ['index.html', 'modules/_xp2p_sdk_browser.html', 'modules/_xp2p_server.html']) {
    expect(existsSync(join(out, page)), page).toBe(true);
  }
  expect(existsSync(join(out, 'functions/_xp2p_sdk_node.createNodeP2PModule.html'))).toBe(true);
}, 300_000);
