/**
 * The import boundaries of eslint.config.js, checked with ESLint itself: a bad import must be reported
 * (the rule once never fired because its patterns matched no real path), and a good one must not be.
 */
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const eslint = new ESLint({ cwd: ROOT });

/** The messages of `rule` ESLint gives `code` as if it were the file `filePath` of the repo. */
async function reported(filePath: string, code: string, rule = 'no-restricted-imports'): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: `${ROOT}${filePath}` });
  return (result?.messages ?? []).filter((m) => m.ruleId === rule).map((m) => m.message);
}
const restrictedImports = (filePath: string, code: string): Promise<string[]> => reported(filePath, code);

const use = (source: string): string => `import { x } from '${source}';\nexport const y = x;\n`;

describe('eslint: imports across packages', () => {
  it.each([
    ['e2e/live.test.ts', '../packages/server/src/testing/harness.js'],
    ['e2e/cluster/tls.test.ts', '../../packages/server/src/testing/test-certificates.js'],
    ['e2e/nat/probe-process.mjs', '../../packages/sdk/dist/nat/index.js'],
    ['packages/server/src/origin/origin.ts', '../../../protocol/src/flv/index.js'],
    ['packages/sdk/src/swarm/engine/swarm-peer.test.ts', '../../../../protocol/dist/index.js'],
    ['e2e/web/room.test.ts', '@xp2p/sdk/src/node.js'],
    ['packages/cli/src/main.ts', '@xp2p/server/dist/index.js'],
  ])('%s importing %s is reported', async (file, source) => {
    expect(await restrictedImports(file, use(source))).toEqual([expect.stringMatching(/import/)]);
  });

  it.each([
    ['e2e/cluster/tls.test.ts', '@xp2p/testing'],
    ['e2e/cluster/tls.test.ts', '../helpers/processes.js'],
    ['packages/server/src/origin/origin.ts', '../http/routes.js'],
    ['packages/sdk/src/swarm/engine/swarm-peer.ts', '../../nat/index.js'],
    ['packages/cli/src/main.ts', '@xp2p/sdk/node'],
  ])('%s importing %s is not reported', async (file, source) => {
    expect(await restrictedImports(file, use(source))).toEqual([]);
  });
});

describe('eslint: test helpers stay out of production code', () => {
  it.each([
    ['packages/server/src/server.ts', '@xp2p/testing'],
    ['packages/device/src/agent.ts', '@xp2p/testing/device'],
  ])('%s importing %s is reported', async (file, source) => {
    expect(await restrictedImports(file, use(source))).toEqual([
      expect.stringMatching(/@xp2p\/testing is for tests only/),
    ]);
  });

  it.each([
    ['packages/server/src/origin/origin.test.ts', '@xp2p/testing/server'],
    ['packages/sdk/src/swarm/engine/hashed-chunks.test-support.ts', '@xp2p/testing'],
    ['packages/testing/src/server/harness.ts', '@xp2p/testing'],
    ['e2e/live-1v1.test.ts', '@xp2p/testing'],
  ])('%s importing %s is not reported', async (file, source) => {
    expect(await restrictedImports(file, use(source))).toEqual([]);
  });
});

describe('eslint: e2e reaches files of the packages through @xp2p/testing', () => {
  it.each([
    "new URL('../../packages/cli/dist/main.js', import.meta.url)",
    '`../packages/protocol/src/flv/fixtures/${name}`',
  ])('a path into packages/ in e2e (%s) is reported', async (expression) => {
    const code = `const name = 'av.flv';\nexport const path = ${expression};\n`;
    expect(await reported('e2e/cluster/mirror.test.ts', code, 'no-restricted-syntax')).toEqual([
      expect.stringMatching(/a path into packages\//),
    ]);
  });

  it('a path inside e2e is not', async () => {
    const code = "export const path = new URL('../helpers/viewer-process.mjs', import.meta.url);\n";
    expect(await reported('e2e/nat/lab-system.ts', code, 'no-restricted-syntax')).toEqual([]);
  });
});
