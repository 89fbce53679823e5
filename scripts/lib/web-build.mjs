// Step (g0) of npm start: build web/ into web/dist with Vite when its sources changed since the last build.
// A hash of every input is stamped into web/dist/.build-hash, so test fleets (many starts per run) skip the
// build when nothing changed. The build goes to a temporary folder that then replaces web/dist, and a lock
// file keeps two concurrent starts (a developer's and a test fleet's) from building at once.
// Plain Node with no dependencies.
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { closeSync, copyFileSync, existsSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'

const STAMP = '.build-hash'
const LOCK_STALE_MS = 5 * 60_000
/** how long the chunks of a previous build stay servable after a rebuild */
const KEEP_OLD_ASSETS_MS = 24 * 3600_000

/** Files that decide the build's output (the contracts files are aliased into the bundle by vite.config.ts). */
function inputs (rootDir) {
  const web = join(rootDir, 'web')
  const files = ['index.html', 'vite.config.ts', 'package.json', 'tsconfig.json'].map((f) => join(web, f))
  const walk = (dir) => {
    let entries = []
    try { entries = readdirSync(dir, { withFileTypes: true }) } catch { return }
    for (const e of entries) {
      const p = join(dir, e.name)
      if (e.isDirectory()) walk(p)
      else if (!e.name.endsWith('.test.ts')) files.push(p)
    }
  }
  walk(join(web, 'src'))
  walk(join(web, 'public'))
  files.push(join(rootDir, 'packages', 'contracts', 'src', 'scopes.ts'), join(rootDir, 'packages', 'contracts', 'src', 'fleet.ts'))
  return files.filter((f) => existsSync(f)).sort()
}

export function webSourceHash (rootDir) {
  const hash = createHash('sha256')
  for (const file of inputs(rootDir)) {
    hash.update(relative(rootDir, file)).update('\0').update(readFileSync(file)).update('\0')
  }
  return hash.digest('hex')
}

const builtHash = (dist) => { try { return readFileSync(join(dist, STAMP), 'utf8').trim() } catch { return null } }

async function withLock (lockFile, fn) {
  for (;;) {
    try {
      closeSync(openSync(lockFile, 'wx'))
      break
    } catch (err) {
      if (err.code !== 'EEXIST') throw err
      // a build that died leaves its lock behind: take it over once it is old
      try { if (Date.now() - statSync(lockFile).mtimeMs > LOCK_STALE_MS) rmSync(lockFile, { force: true }) } catch {}
      await sleep(250)
    }
  }
  try { return await fn() } finally { rmSync(lockFile, { force: true }) }
}

/**
 * A tab opened before a rebuild still asks for the old build's chunks (file names carry content hashes) when it
 * opens a screen; without them nginx would answer index.html and the screen would fail to load. So chunks of
 * builds from the last day move into the new build.
 */
function keepRecentAssets (oldDir, newDir) {
  let names = []
  try { names = readdirSync(oldDir) } catch { return }
  for (const name of names) {
    const from = join(oldDir, name)
    const { atime, mtime } = statSync(from)
    if (existsSync(join(newDir, name)) || Date.now() - mtime.getTime() > KEEP_OLD_ASSETS_MS) continue
    copyFileSync(from, join(newDir, name))
    utimesSync(join(newDir, name), atime, mtime) // its age keeps counting from its own build
  }
}

/**
 * Builds web/dist when needed. Returns 'fresh' (nothing to do), 'built', or 'failed' (the old build, or the
 * placeholder page, stays in place and the reason is logged).
 */
export async function ensureWebBuild ({ rootDir, log }) {
  const web = join(rootDir, 'web')
  const dist = join(web, 'dist')
  const vite = join(web, 'node_modules', 'vite', 'bin', 'vite.js')
  if (!existsSync(vite)) { log('web app: vite is not installed, serving the placeholder page'); return 'failed' }
  const hash = webSourceHash(rootDir)
  if (builtHash(dist) === hash) return 'fresh'
  return await withLock(join(web, '.build.lock'), async () => {
    if (builtHash(dist) === hash) return 'fresh' // another start built it while we waited
    log('web app: building with vite')
    const tmp = join(web, `.dist-${process.pid}`)
    rmSync(tmp, { recursive: true, force: true })
    const r = spawnSync(process.execPath, [vite, 'build', '--outDir', tmp, '--emptyOutDir', '--logLevel', 'warn'], { cwd: web, encoding: 'utf8' })
    if (r.status !== 0) {
      rmSync(tmp, { recursive: true, force: true })
      log(`web app: the build failed, ${existsSync(join(dist, 'index.html')) ? 'keeping the previous build' : 'serving the placeholder page'}:\n${`${r.stdout}${r.stderr}`.trim().split('\n').slice(-15).map((l) => `    ${l}`).join('\n')}`)
      return 'failed'
    }
    writeFileSync(join(tmp, STAMP), hash + '\n')
    keepRecentAssets(join(dist, 'assets'), join(tmp, 'assets'))
    const old = join(web, `.dist-old-${process.pid}`)
    if (existsSync(dist)) renameSync(dist, old)
    renameSync(tmp, dist)
    rmSync(old, { recursive: true, force: true })
    return 'built'
  })
}
