/**
 * Writes benchmark figures: bench/results.json (merged by name, so a partial bench keeps the other
 * figures) and BENCHMARKS.md (regenerated from the merged figures).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { benchSections } from './sections.js';

export function writeResults(root: string, figures: Record<string, number>): void {
  const dir = join(root, 'bench');
  mkdirSync(dir, { recursive: true });
  const resultsPath = join(dir, 'results.json');
  const previous = existsSync(resultsPath)
    ? (JSON.parse(readFileSync(resultsPath, 'utf8')) as Record<string, unknown>)
    : {};
  const merged: Record<string, unknown> = { ...previous, ...figures, measured_at: new Date().toISOString() };
  writeFileSync(resultsPath, `${JSON.stringify(merged, null, 2)}\n`);
  const numbers = Object.fromEntries(
    Object.entries(merged).filter((e): e is [string, number] => typeof e[1] === 'number'),
  );
  const sections = benchSections(numbers);

  const lines = [
    '# Benchmarks',
    '',
    'Written by `npm run bench` (`npm run bench:swarm`: the simulation rows only) on this machine (2 cores, noisy): medians (p50) and p95 over repeated runs,',
    'each P2P figure next to a baseline measured in the same run. Raw figures: `bench/results.json`.',
    '',
  ];
  for (const s of sections) {
    lines.push(`## ${s.title}`, '', s.method, '', '| figure | value | note |', '| --- | --- | --- |');
    for (const [name, value, note] of s.rows) lines.push(`| \`${name}\` | ${value} | ${note ?? ''} |`);
    lines.push('');
  }
  lines.push(`_Measured ${new Date().toISOString()}._`, '');
  writeFileSync(join(root, 'BENCHMARKS.md'), lines.join('\n'));
}
