import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'transforms/**/*.test.ts'],
    testTimeout: 30_000,
    pool: 'forks',
  },
});
