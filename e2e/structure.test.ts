// The structure check (scripts/check-structure.mjs) over the whole tree: no import cycle between
// files, no loop between a package's top-level folders, no function over 120 lines, no file over 600
// lines in packages/*/src. The last test builds a small tree with one of each problem, so a check that
// silently found nothing would fail here.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  ALLOWED,
  MAX_FILE_LINES,
  MAX_FUNCTION_LINES,
  checkAllowList,
  checkStructure,
  describe as describeFinding,
  findStructureProblems,
} from '../scripts/check-structure.mjs';

describe('source structure', () => {
  it('has no import cycle, folder loop, long function or long file outside the sdk allow-list', () => {
    const findings = checkStructure().map(describeFinding);
    expect(findings).toEqual([]);
  });

  it('allows findings only under packages/sdk/src', () => {
    expect(checkAllowList(ALLOWED)).toEqual([]);
    const refused = checkAllowList([{ kind: 'file', file: 'packages/server/src/server.ts' }]);
    expect(refused.map(describeFinding)).toEqual([
      'packages/server/src/server.ts: only packages/sdk/src/ findings may be allowed',
    ]);
  });

  const scratch = mkdtempSync(join(tmpdir(), 'xp2p-structure-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('finds a cycle, a folder loop, a long function and a long file, and ignores test files', () => {
    const src = join(scratch, 'packages', 'demo', 'src');
    mkdirSync(join(src, 'inner'), { recursive: true });
    writeFileSync(join(src, 'a.ts'), "import { b } from './inner/b.js';\nexport const a = () => b;\n");
    writeFileSync(
      join(src, 'inner', 'b.ts'),
      "import type { a } from '../a.js';\nexport const b = 1 as unknown as typeof a;\n",
    );
    const body = Array.from({ length: MAX_FUNCTION_LINES - 1 }, (_, i) => `  const v${i} = ${i};`).join('\n');
    writeFileSync(join(src, 'long.ts'), `export class Long {\n  run(): void {\n${body}\n  }\n}\n`);
    writeFileSync(join(src, 'big.ts'), '// line\n'.repeat(MAX_FILE_LINES + 1));
    writeFileSync(join(src, 'big.test.ts'), '// line\n'.repeat(MAX_FILE_LINES + 1));
    // Two folders that import each other through different files: no file cycle, but a folder loop.
    mkdirSync(join(src, 'upper'), { recursive: true });
    mkdirSync(join(src, 'lower'), { recursive: true });
    writeFileSync(join(src, 'upper', 'top.ts'), "export { low } from '../lower/low.js';\n");
    writeFileSync(join(src, 'upper', 'shared.ts'), 'export const shared = 1;\n');
    writeFileSync(join(src, 'lower', 'low.ts'), 'export const low = 1;\n');
    writeFileSync(
      join(src, 'lower', 'uses.ts'),
      "import { shared } from '../upper/shared.js';\nexport const uses = shared;\n",
    );

    const findings = findStructureProblems(scratch).map(describeFinding);
    expect(findings).toEqual([
      `packages/demo/src/big.ts: ${MAX_FILE_LINES + 1} lines (max ${MAX_FILE_LINES})`,
      `packages/demo/src/long.ts:2: Long.run is ${MAX_FUNCTION_LINES + 1} lines (max ${MAX_FUNCTION_LINES})`,
      'import cycle: packages/demo/src/a.ts -> packages/demo/src/inner/b.ts -> packages/demo/src/a.ts',
      'folder loop: packages/demo/src/a.ts, packages/demo/src/inner/ (packages/demo/src/a.ts -> packages/demo/src/inner/b.ts; packages/demo/src/inner/b.ts -> packages/demo/src/a.ts)',
      'folder loop: packages/demo/src/lower/, packages/demo/src/upper/ (packages/demo/src/lower/uses.ts -> packages/demo/src/upper/shared.ts; packages/demo/src/upper/top.ts -> packages/demo/src/lower/low.ts)',
    ]);
    // An allow-list entry that matches nothing is a finding too, so the list can only shrink.
    const stale = checkStructure(scratch, [{ kind: 'file', file: 'packages/sdk/src/gone.ts' }]).map(describeFinding);
    expect(stale).toContain('packages/sdk/src/gone.ts: allowed finding is gone: remove its entry');
  });
});
