/**
 * `xp2p bench-size` (npm run bench:size): what browsers download, from the built web app (run `npm run
 * build` first). Updates the web_* figures in bench/results.json and their rows in BENCHMARKS.md.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { measureWebSizes, webAppBuilt, WEB_SIZE_BUDGETS } from '@xp2p/web';
import { UsageError } from '../args.js';
import { writeResults } from '../bench/report.js';
import { sizeFigures } from '../bench/size-section.js';

export async function benchSizeCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { out: { type: 'string', default: '.' } } });
  if (!webAppBuilt()) throw new UsageError('the web app is not built: run `npm run build` first');
  const sizes = measureWebSizes();
  for (const f of [sizes.sdk, ...sizes.appFiles]) {
    console.log(`${f.file.padEnd(18)} ${String(f.bytes).padStart(8)} bytes  ${String(f.gzipBytes).padStart(7)} gzip`);
  }
  console.log(`sdk bundle gzip ${sizes.sdk.gzipBytes} (budget ${WEB_SIZE_BUDGETS.sdkGzipBytes})`);
  console.log(`web app gzip ${sizes.appGzipBytes} (budget ${WEB_SIZE_BUDGETS.appGzipBytes})`);
  writeResults(resolve(values.out), sizeFigures(sizes));
  console.log('updated the web_* figures in bench/results.json and BENCHMARKS.md');
}
