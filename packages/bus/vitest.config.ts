// Two projects: `unit` (pure, beside the source) and `int` (real Postgres and Redis through @robbie/testing).
import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['src/**/*.test.ts'], setupFiles: ['@robbie/testing/setup'] } },
      {
        test: {
          name: 'int',
          include: ['test/**/*.int.test.ts'],
          globalSetup: ['@robbie/testing/global-setup'],
          setupFiles: ['@robbie/testing/setup'],
          testTimeout: 60_000,
          hookTimeout: 60_000
        }
      }
    ]
  }
})
