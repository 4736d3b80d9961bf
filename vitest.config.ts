import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['source'] },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'e2e/**/*.test.ts'],
    // The NAT lab needs root and network namespaces and runs on its own: `npm run test:nat`.
    exclude: process.env.XP2P_NAT_LAB ? ['**/node_modules/**'] : ['**/node_modules/**', 'e2e/nat/**'],
    // node-datachannel is a native addon: run each test file in its own process, not a worker thread.
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    fileParallelism: true,
    maxWorkers: 2,
  },
});
