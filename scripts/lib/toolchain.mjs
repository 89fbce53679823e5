// Step (a) of npm start: Node version, the pinned pnpm, and `pnpm install` only when something changed.
// Plain Node: on a fresh clone this is what installs the dependencies everything else needs.
import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, statSync, utimesSync } from 'node:fs'
import { join } from 'node:path'

export const PNPM_VERSION = '12.21.0'
const MIN_NODE = [20, 19]

export function checkNode () {
  const [major, minor] = process.versions.node.split('.').map(Number)
  if (major < MIN_NODE[0] || (major === MIN_NODE[0] && minor < MIN_NODE[1])) {
    throw new Error(`Node ${process.versions.node} is too old: Robbie needs Node ≥ ${MIN_NODE.join('.')} (Vite 8 needs it).`)
  }
}

function pnpmVersion () {
  try { return execFileSync('pnpm', ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() } catch { return null }
}

/** pnpm is pinned by version check, not `packageManager` (no platform builds of 12.21.0; corepack fails here). */
export function ensurePnpm (log) {
  const found = pnpmVersion()
  if (found === PNPM_VERSION) return
  log(`installing pnpm ${PNPM_VERSION} (found ${found ?? 'none'})`)
  execFileSync('npm', ['i', '-g', `pnpm@${PNPM_VERSION}`], { stdio: 'inherit' })
  const now = pnpmVersion()
  if (now !== PNPM_VERSION) throw new Error(`pnpm ${PNPM_VERSION} is not on PATH after installing it (found ${now ?? 'none'}).`)
}

/** Every manifest of the workspace: the root and each member of packages/*, services/*, web. */
function manifests (rootDir) {
  const files = [join(rootDir, 'package.json'), join(rootDir, 'pnpm-lock.yaml'), join(rootDir, 'pnpm-workspace.yaml'), join(rootDir, 'web', 'package.json')]
  for (const group of ['packages', 'services']) {
    let names = []
    try { names = readdirSync(join(rootDir, group)) } catch {}
    for (const name of names) files.push(join(rootDir, group, name, 'package.json'))
  }
  return files.filter((f) => existsSync(f))
}

/** True when node_modules is older than the lockfile or any manifest (or missing). */
export function installNeeded (rootDir) {
  const marker = join(rootDir, 'node_modules', '.modules.yaml')
  if (!existsSync(marker)) return true
  const installed = statSync(marker).mtimeMs
  return manifests(rootDir).some((f) => statSync(f).mtimeMs > installed)
}

export function ensureDependencies (rootDir, log) {
  if (!installNeeded(rootDir)) { log('dependencies up to date'); return }
  log('pnpm install --frozen-lockfile')
  execFileSync('pnpm', ['install', '--frozen-lockfile'], { cwd: rootDir, stdio: 'inherit' })
  // pnpm leaves .modules.yaml alone when nothing changed; mark the install so the next start takes the fast path.
  const now = new Date()
  utimesSync(join(rootDir, 'node_modules', '.modules.yaml'), now, now)
}
