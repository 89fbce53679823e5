// Every package and service has two projects, `<name>:unit` (src/**/*.test.ts, nothing outside the process)
// and `<name>:int` (test/**/*.int.test.ts, real Postgres and Redis); the root adds `static` (repo checks)
// and `e2e` (whole fleets behind real nginx, and the web app in Chromium: web/e2e). `npm test` runs them all (scripts/test.mjs).
import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { defineConfig, type TestProjectInlineConfiguration } from 'vitest/config'

const root = import.meta.dirname
const dirs = ['packages', 'services'].flatMap((group) => readdirSync(join(root, group), { withFileTypes: true })
  .filter((d) => d.isDirectory() && !d.name.startsWith('_') && existsSync(join(root, group, d.name, 'package.json')))
  .map((d) => ({ name: d.name, dir: join(group, d.name) })))

const setupFiles = [join(root, 'packages/testing/src/setup.ts')]
const globalSetup = [join(root, 'packages/testing/src/global-setup.ts')]

const projects: TestProjectInlineConfiguration[] = dirs.flatMap(({ name, dir }) => [
  { test: { name: `${name}:unit`, root: join(root, dir), include: ['src/**/*.test.ts'], setupFiles } },
  { test: { name: `${name}:int`, root: join(root, dir), include: ['test/**/*.int.test.ts'], setupFiles, globalSetup, testTimeout: 30_000, hookTimeout: 60_000 } }
])
projects.push(
  { test: { name: 'int', root, include: ['test/int/**/*.int.test.ts'], setupFiles, globalSetup, testTimeout: 60_000, hookTimeout: 60_000 } },
  { test: { name: 'security', root, include: ['test/security/**/*.test.ts'], setupFiles, globalSetup, testTimeout: 120_000, hookTimeout: 120_000 } },
  { test: { name: 'static', root, include: ['test/static/**/*.test.ts', 'test/scripts/**/*.test.ts'], setupFiles, testTimeout: 120_000, hookTimeout: 120_000 } },
  { test: { name: 'e2e', root, include: ['test/e2e/**/*.e2e.test.ts', 'web/e2e/**/*.e2e.ts'], setupFiles, globalSetup, testTimeout: 180_000, hookTimeout: 240_000, fileParallelism: false } },
  // the web app's pure helpers (markdown, formatting); its screens are tested in Chromium by the e2e project
  { test: { name: 'web:unit', root: join(root, 'web'), include: ['src/**/*.test.ts'], setupFiles } }
)

export default defineConfig({ test: { projects, passWithNoTests: true } })
