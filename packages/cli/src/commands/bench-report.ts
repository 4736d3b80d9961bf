/**
 * `xp2p bench-report FIGURES.json [--out DIR]`: merges figures measured elsewhere (npm run bench:lab, which
 * runs in the NAT lab's namespaces) into bench/results.json and writes BENCHMARKS.md again from all of them.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { UsageError } from '../args.js';
import { writeResults } from '../bench/report.js';

export async function benchReportCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { out: { type: 'string', default: '.' } },
  });
  const file = positionals[0];
  if (!file) throw new UsageError('give the JSON file of figures to merge');
  const figures = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  const numbers = Object.fromEntries(
    Object.entries(figures).filter((e): e is [string, number] => typeof e[1] === 'number' && Number.isFinite(e[1])),
  );
  writeResults(resolve(values.out), numbers);
  console.log(`merged ${Object.keys(numbers).length} figures into ${resolve(values.out, 'bench/results.json')}`);
}
