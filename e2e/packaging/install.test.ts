/**
 * The packages as a developer gets them: every workspace package packed with `npm pack`, the tarballs
 * installed with `npm install` into a scratch project in the system's temp directory (outside the
 * workspace, so no workspace links; third-party dependencies come from the npm registry or its cache).
 * There, through the packages' public entry points only: a server, a camera and a Node viewer deliver
 * an FLV that ffprobe decodes; a TypeScript consumer type-checks against the shipped .d.ts; `npx xp2p
 * --help` and `npx xp2p demo` run from the installed cli.
 */
import { execFile } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { decodeErrors, probePackets, trimToWholeTags } from '@xp2p/testing';
import { start, stopAll } from '../helpers/processes.js';
import { packedFiles, packedManifest, type PackResult } from './tarball.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');
const PACKAGES = ['protocol', 'sdk', 'device', 'server', 'player', 'cli', 'web'].map((p) => `@xp2p/${p}`);

let work: string;
let scratch: string;
let packs: PackResult[];

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'xp2p-packaging-'));
  scratch = join(work, 'app');
  const tarballs = join(work, 'tarballs');
  mkdirSync(tarballs);
  mkdirSync(scratch);
  const { stdout } = await run(
    'npm',
    // the published packages (not the private @xp2p/testing, which no package depends on at run time)
    ['pack', ...PACKAGES.flatMap((p) => ['-w', p]), '--pack-destination', tarballs, '--json', '--silent'],
    { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 },
  );
  packs = (JSON.parse(stdout) as PackResult[]).map((p) => ({ ...p, filename: join(tarballs, p.filename) }));
  writeFileSync(
    join(scratch, 'package.json'),
    JSON.stringify({ name: 'scratch-consumer', private: true, type: 'module' }, null, 2),
  );
  await run(
    'npm',
    [
      'install',
      ...['--no-audit', '--no-fund', '--prefer-offline', '--loglevel', 'error'],
      ...packs.map((p) => p.filename),
      // what a TypeScript consumer on Node adds itself
      '@types/node@20',
    ],
    { cwd: scratch, maxBuffer: 16 * 1024 * 1024 },
  );
}, 300_000);

afterEach(stopAll);
afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('npm pack', () => {
  it('packs every workspace package with a README, a LICENSE, types, and dist only', async () => {
    expect(packs.map((p) => p.name).sort()).toEqual([...PACKAGES].sort());
    for (const pack of packs) {
      const files = packedFiles(pack);
      expect(files, pack.name).toContain('README.md');
      expect(files, pack.name).toContain('LICENSE');
      const stray = files.filter(
        (f) =>
          /(^|\/)src\//.test(f) ||
          /\.test(-support)?\.|\/testing\//.test(f) ||
          /\.map$|tsbuildinfo/.test(f) ||
          (f.endsWith('.ts') && !f.endsWith('.d.ts')),
      );
      expect(stray, `${pack.name} ships sources, tests or maps`).toEqual([]);
      const manifest = await packedManifest(pack.filename);
      expect(JSON.stringify(manifest.exports), `${pack.name}: exports name src/`).not.toMatch(/source|\/src\//);
      expect(manifest.scripts, `${pack.name} ships repo scripts`).toBeUndefined();
      expect(Object.keys(manifest.dependencies ?? {}), `${pack.name} needs the test helpers`).not.toContain(
        '@xp2p/testing',
      );
      for (const [command, target] of Object.entries(manifest.bin ?? {})) {
        expect(files, `${pack.name} bin ${command}`).toContain(target.replace(/^\.\//, ''));
      }
      for (const [entry, target] of Object.entries(manifest.exports ?? {})) {
        if (typeof target === 'string') continue;
        expect(files, `${pack.name} ${entry} types`).toContain(target.types.replace(/^\.\//, ''));
        expect(files, `${pack.name} ${entry} code`).toContain(target.default.replace(/^\.\//, ''));
      }
    }
  });

  it('leaves the workspace manifests as they were (postpack restored them)', () => {
    for (const name of PACKAGES) {
      const dir = join(ROOT, 'packages', name.slice('@xp2p/'.length));
      expect(existsSync(join(dir, '.package.json.unpacked')), name).toBe(false);
      expect(readFileSync(join(dir, 'package.json'), 'utf8'), name).toContain('"prepack"');
    }
  });
});

describe('installed from tarballs outside the workspace', () => {
  it('installs real copies, not links into the workspace', () => {
    for (const name of PACKAGES) {
      expect(lstatSync(join(scratch, 'node_modules', name)).isSymbolicLink(), name).toBe(false);
    }
    expect(readdirSync(join(scratch, 'node_modules/@xp2p')).sort()).toEqual(
      PACKAGES.map((p) => p.slice('@xp2p/'.length)).sort(),
    );
  });

  it('a server, a camera and a Node viewer deliver an FLV that decodes', async () => {
    copyFileSync(join(ROOT, 'e2e/packaging/scratch-viewer.mjs'), join(scratch, 'viewer.mjs'));
    const out = join(work, 'received.flv');
    const viewer = start(['viewer.mjs', out, '300000'], { cwd: scratch });
    await viewer.waitForLine(/^received \d+ bytes$/, 60_000);
    expect(await viewer.exited).toBe(0);
    trimToWholeTags(out);
    const packets = await probePackets(out);
    expect(packets.filter((p) => p.codec_type === 'video').length).toBeGreaterThan(30);
    expect(await decodeErrors(out)).toBe('');
  }, 90_000);

  it('a TypeScript consumer type-checks against the shipped declarations', async () => {
    writeFileSync(
      join(scratch, 'consumer.ts'),
      [
        "import { createNodeP2PModule, type StreamInfo } from '@xp2p/sdk/node';",
        "import { createBrowserP2PModule } from '@xp2p/sdk/browser';",
        "import { startServer, createDevConfig } from '@xp2p/server';",
        "import { startDeviceAgent } from '@xp2p/device';",
        "import { startPlayerBridge } from '@xp2p/player';",
        "import { playP2PFlv } from '@xp2p/player/browser';",
        "import { ErrorCode, decodeXp2pInfo } from '@xp2p/protocol';",
        'const code: number = ErrorCode.OK;',
        "const info: StreamInfo = { url: 'http://x/live.flv' };",
        'void [createNodeP2PModule, createBrowserP2PModule, startServer, createDevConfig, startDeviceAgent,',
        '  startPlayerBridge, playP2PFlv, decodeXp2pInfo, code, info];',
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
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          lib: ['ES2023', 'DOM'],
          types: ['node'],
        },
        files: ['consumer.ts'],
      }),
    );
    const result = await run(process.execPath, [TSC, '-p', scratch]).catch((err: { stdout: string }) => err);
    expect(result.stdout).toBe('');
  }, 60_000);

  it('npx xp2p --help prints the usage', async () => {
    const { stdout } = await run('npx', ['--no-install', 'xp2p', '--help'], { cwd: scratch });
    expect(stdout).toMatch(/^usage: xp2p <command>/);
    expect(stdout).toContain('demo ');
  });

  it('npx xp2p demo serves the web app and a playable live URL', async () => {
    const data = join(work, 'demo-data');
    const demo = start(
      ['--no-install', 'xp2p', 'demo', '--port', '0', '--stun-port', '0', '--bridge-port', '0', '--data', data],
      { program: 'npx', cwd: scratch },
    );
    const [, webUrl] = await demo.waitForLine(/^web: (\S+)/, 60_000);
    const [, playUrl] = await demo.waitForLine(/^play: (\S+)/, 30_000);
    const page = await fetch(webUrl!);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<script');
    const live = await fetch(playUrl!);
    expect(live.status).toBe(200);
    const reader = live.body!.getReader();
    const { value } = await reader.read();
    await reader.cancel();
    expect(Buffer.from(value!.subarray(0, 3)).toString('latin1')).toBe('FLV');
    await demo.kill('SIGINT');
  }, 120_000);
});
