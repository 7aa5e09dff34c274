import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Workers and native Temporal cores do not share a process well; forks isolate them.
    pool: 'forks',
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/setup/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 600_000,
    // Two cores: more forks only make each Temporal worker slower.
    maxWorkers: 2,
  },
});
