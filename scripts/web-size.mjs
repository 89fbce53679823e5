// `node scripts/web-size.mjs`: the web app's initial JavaScript, gzipped (issue 8: under 150 KB). "Initial" is
// what index.html makes the browser fetch before the first screen can render: the entry script and its
// modulepreloads. Every screen is a lazy chunk, listed below for reference. Builds web/dist first if stale.
import { readFileSync, readdirSync, statSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { gzipSync } from 'node:zlib'
import { ensureWebBuild } from './lib/web-build.mjs'

const BUDGET_KB = 150
const rootDir = resolve(import.meta.dirname, '..')
const dist = join(rootDir, 'web', 'dist')

if (await ensureWebBuild({ rootDir, log: (m) => console.log(`• ${m}`) }) === 'failed') process.exit(1)

const html = readFileSync(join(dist, 'index.html'), 'utf8')
const initial = [
  ...html.matchAll(/<script[^>]*type="module"[^>]*src="([^"]+)"/g),
  ...html.matchAll(/<link[^>]*rel="modulepreload"[^>]*href="([^"]+)"/g)
].map((m) => m[1].replace(/^\//, ''))
const css = [...html.matchAll(/<link[^>]*rel="stylesheet"[^>]*href="([^"]+)"/g)].map((m) => m[1].replace(/^\//, ''))

const sizes = (file) => {
  const bytes = readFileSync(join(dist, file))
  return { file, raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length }
}
const kb = (n) => (n / 1024).toFixed(1)
const row = (s) => `| ${s.file} | ${kb(s.raw)} | ${kb(s.gzip)} |`

const init = initial.map(sizes)
const total = init.reduce((sum, s) => sum + s.gzip, 0)
// This build's lazy chunks: those the initial files reach by name (web/dist/assets also keeps a previous
// build's chunks for a day, for tabs opened before a rebuild).
const present = new Set(readdirSync(join(dist, 'assets')).filter((f) => f.endsWith('.js')))
const reached = new Set(initial.map((f) => f.replace(/^assets\//, '')))
for (const queue = [...reached]; queue.length > 0;) {
  const text = readFileSync(join(dist, 'assets', queue.pop()), 'utf8')
  for (const [name] of text.matchAll(/[\w.-]+\.js/g)) {
    if (present.has(name) && !reached.has(name)) { reached.add(name); queue.push(name) }
  }
}
const lazy = [...reached].filter((f) => !initial.includes(`assets/${f}`))
  .map((f) => sizes(`assets/${f}`)).sort((a, b) => b.gzip - a.gzip)

console.log(`web/dist built ${statSync(join(dist, 'index.html')).mtime.toISOString()}, Node ${process.version}\n`)
console.log('Initial JavaScript (entry + modulepreload):\n\n| file | KB | KB gzipped |\n|---|---|---|')
for (const s of init) console.log(row(s))
console.log(`| **total** | ${kb(init.reduce((sum, s) => sum + s.raw, 0))} | **${kb(total)}** |`)
console.log(`\nInitial CSS: ${css.map(sizes).map((s) => `${s.file} ${kb(s.gzip)} KB gzipped`).join(', ')}`)
console.log('\nLazy chunks (loaded per screen):\n\n| file | KB | KB gzipped |\n|---|---|---|')
for (const s of lazy) console.log(row(s))
console.log(`\ninitial JS ${kb(total)} KB gzipped; budget ${BUDGET_KB} KB: ${total <= BUDGET_KB * 1024 ? 'within' : 'OVER'}`)
if (total > BUDGET_KB * 1024) process.exitCode = 1
