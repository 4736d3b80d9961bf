/**
 * The README's Quick start on a fresh clone, exactly as a new user runs it: `npm install && npm start`, then an
 * `npx xp2p ...` command against the running demo. A second `npm install` once hid a broken bin link (npm links
 * a workspace bin only when its target exists at install time), so this test copies the repository's tracked
 * files into an empty folder and installs once.
 */
import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '@xp2p/testing';
import { start, stopAll } from './helpers/processes.js';

const run = promisify(execFile);
const REPO = fileURLToPath(new URL('..', import.meta.url));
// npm and npx are node scripts next to the node binary; running them through node keeps the test off the shell.
const NPM_BIN = join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'bin');
const NPM = join(NPM_BIN, 'npm-cli.js');
const NPX = join(NPM_BIN, 'npx-cli.js');

/** A fresh clone of the working tree: every tracked file (with its mode), nothing built, nothing installed. */
async function cloneTrackedFiles(into: string): Promise<void> {
  const { stdout } = await run('git', ['ls-files', '-z'], { cwd: REPO, maxBuffer: 16 << 20 });
  for (const file of stdout.split('\0').filter(Boolean)) {
    const source = join(REPO, file);
    const present = await stat(source).catch(() => undefined);
    if (!present?.isFile()) continue; // deleted in the working tree but not yet committed
    await mkdir(dirname(join(into, file)), { recursive: true });
    await copyFile(source, join(into, file));
  }
}

describe('a fresh clone', () => {
  let clone: string;

  beforeAll(async () => {
    clone = await mkdtemp(join(tmpdir(), 'xp2p-fresh-clone-'));
    await cloneTrackedFiles(clone);
    await run(process.execPath, [NPM, 'install', '--no-audit', '--no-fund', '--prefer-offline'], {
      cwd: clone,
      timeout: 300_000,
      maxBuffer: 16 << 20,
    });
  }, 320_000);

  afterAll(async () => {
    await stopAll();
    if (clone) await rm(clone, { recursive: true, force: true });
  });

  it('links the xp2p bin at install, before anything is built', async () => {
    expect((await stat(join(clone, 'node_modules', '.bin', 'xp2p'))).isFile()).toBe(true);
    const premature = await run(process.execPath, [NPX, '--no-install', 'xp2p', '--help'], { cwd: clone }).catch(
      (err: { stderr: string; code: number }) => err,
    );
    // before the build the bin explains what to do instead of a stack trace
    expect('code' in premature && premature.code).toBe(1);
    expect((premature as { stderr: string }).stderr).toMatch(/not built yet; run `npm run build`/);
  });

  it('runs `npm start`, then `npx xp2p cmd` against the demo camera', async () => {
    const [port, stunPort, bridgePort] = [await freePort(), await freePort(), await freePort()];
    const demo = start(
      [
        NPM,
        'start',
        '--',
        '--port',
        String(port),
        '--stun-port',
        String(stunPort),
        '--bridge-port',
        String(bridgePort),
      ],
      { cwd: clone },
    );
    const [, serverUrl] = await demo.waitForLine(/^server: (\S+)/, 180_000);
    await demo.waitForLine(/^play: http/, 60_000);
    const { stdout } = await run(
      process.execPath,
      [
        NPX,
        '--no-install',
        'xp2p',
        'cmd',
        'demo/cam1',
        'action=inner_define&channel=0&cmd=get_device_st&type=live',
        '--server',
        serverUrl!,
      ],
      { cwd: clone, timeout: 60_000 },
    );
    // the guide's result object, carrying the camera's own answer to get_device_st
    const result = JSON.parse(stdout) as { type: string; data: string };
    expect(result.type).toBe('success');
    // the demo camera: two channels in two qualities, every source live
    const streams = ['0:high', '0:standard', '1:high', '1:standard'].map((s) => {
      const [channel, quality] = s.split(':');
      return { channel: Number(channel), quality, source: 'live' };
    });
    expect(JSON.parse(result.data)).toEqual([
      // oneToMany: 1vN streams the camera publishes because it is full (none here)
      { status: 0, appConnectNum: expect.any(Number), oneToMany: 0, source: 'live', streams },
    ]);
    await demo.kill();
  }, 300_000);
});
