// `npm run bench:lab`: the long-path benchmark in the NAT lab (root, network namespaces); not part of npm test.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['source'] },
  test: {
    include: ['e2e/nat/bench/*.lab-bench.ts'],
    pool: 'forks',
    testTimeout: 3_600_000,
    hookTimeout: 300_000,
    fileParallelism: false,
  },
});
