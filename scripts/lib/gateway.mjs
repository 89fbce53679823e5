// Renders gateway/nginx.conf.template from the fleet list, and finds (or installs) nginx.
// Plain Node with no dependencies: `npm start` runs it on a fresh clone.
//
// CLI (used by the Dockerfile's gateway stage):
//   node scripts/lib/gateway.mjs render --run-dir <dir> [--web-root <dir>] [--upstream-host <host>|@service]
// `@service` points each upstream at the service's own name (compose DNS) instead of one host.
import { spawnSync } from 'node:child_process'
import { accessSync, constants, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { delimiter, dirname, join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { readFleet } from './fleet.mjs'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')
const TEMP_DIRS = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']

/** web/dist once the web app is built, else the placeholder page. */
export function defaultWebRoot (rootDir = ROOT) {
  const dist = join(rootDir, 'web', 'dist')
  return existsSync(join(dist, 'index.html')) ? dist : join(rootDir, 'web', 'placeholder')
}

// Values pasted into the config are checked, so an odd environment variable cannot inject directives.
function positiveInt (env, key, fallback) {
  const raw = env[key]
  if (raw === undefined || raw === '') return fallback
  if (!/^[1-9][0-9]{0,6}$/.test(raw)) throw new Error(`${key} must be a positive integer, got ${JSON.stringify(raw)}`)
  return Number(raw)
}
function checked (value, re, what) {
  if (!re.test(String(value))) throw new Error(`gateway: invalid ${what} ${JSON.stringify(value)}`)
  return String(value)
}
const safePath = (p, what) => checked(p, /^\/[^"\\\n\r;{}$]*$/, what)
const HOST_RE = /^[A-Za-z0-9.:[\]-]+$/

/** Fills `{{#name}}…{{/name}}` blocks (once per item) and `{{KEY}}` values; any placeholder left over is an error. */
export function renderTemplate (template, values, lists = {}) {
  let text = template.replace(/\{\{#(\w+)\}\}\n?([\s\S]*?)\{\{\/\1\}\}\n?/g, (_, name, body) => {
    const items = lists[name]
    if (!Array.isArray(items)) throw new Error(`gateway template: no list named ${name}`)
    return items.map((item) => body.replace(/\{\{(\w+)\}\}/g, (m, key) => (key in item ? String(item[key]) : m))).join('')
  })
  text = text.replace(/\{\{(\w+)\}\}/g, (m, key) => (key in values ? String(values[key]) : m))
  const left = text.match(/\{\{[^}]*\}\}/)
  if (left) throw new Error(`gateway template: unfilled placeholder ${left[0]}`)
  return text
}

function mimeTypesFile (runDir) {
  for (const file of ['/etc/nginx/mime.types', '/usr/local/nginx/conf/mime.types']) if (existsSync(file)) return file
  // No system copy: the few types the web app uses.
  const file = join(runDir, 'nginx', 'mime.types')
  writeFileSync(file, `types {
  text/html html; text/css css; application/javascript js mjs; application/json json; image/svg+xml svg;
  image/png png; image/x-icon ico; image/webp webp; font/woff2 woff2; application/manifest+json webmanifest; text/plain txt;
}
`)
  return file
}

/**
 * Renders the gateway config for `fleet` (default: fleet.json with `env`) into `<runDir>/nginx/nginx.conf`,
 * creating the temp and log folders, and returns its text.
 * env: ROBBIE_GATEWAY_HOST (listen address, default 127.0.0.1), ROBBIE_GATEWAY_RATE / _BURST (limit_req,
 * default 20 r/s, burst 40), ROBBIE_GATEWAY_WORKERS (default auto), ROBBIE_GATEWAY_USER (default: root when
 * rendered as uid 0, so workers can read a web root under a mode-700 home; else none).
 * upstreamHost: a host for every upstream, or a function of the service.
 */
export function renderGateway ({ rootDir = ROOT, runDir, fleet, webRoot, upstreamHost = '127.0.0.1', env = process.env }) {
  if (!runDir) throw new Error('renderGateway: runDir is required')
  runDir = resolve(runDir)
  fleet ??= readFleet(rootDir, env)
  if (!fleet.services.some((s) => s.name === 'chat')) throw new Error('gateway: /ws needs a chat service in the fleet')
  for (const dir of ['nginx', 'logs', ...TEMP_DIRS.map((d) => join('tmp', d))]) mkdirSync(join(runDir, dir), { recursive: true })

  const user = env.ROBBIE_GATEWAY_USER || (process.getuid?.() === 0 ? 'root' : '')
  const values = {
    USER_DIRECTIVE: user ? `user ${checked(user, /^[a-z_][a-z0-9_-]*$/, 'user')};` : '# (not started as root: workers run as the current user)',
    WORKERS: checked(env.ROBBIE_GATEWAY_WORKERS || 'auto', /^(auto|[1-9][0-9]?)$/, 'worker count'),
    RUN_DIR: safePath(runDir, 'run dir'),
    WEB_ROOT: safePath(resolve(webRoot ?? defaultWebRoot(rootDir)), 'web root'),
    MIME_TYPES: safePath(mimeTypesFile(runDir), 'mime.types path'),
    LISTEN_HOST: checked(env.ROBBIE_GATEWAY_HOST || '127.0.0.1', HOST_RE, 'listen host'),
    PORT: checked(fleet.portBase, /^[0-9]{1,5}$/, 'port'),
    RATE: positiveInt(env, 'ROBBIE_GATEWAY_RATE', 20),
    BURST: positiveInt(env, 'ROBBIE_GATEWAY_BURST', 40)
  }
  const services = fleet.services.map((s) => ({
    name: checked(s.name, /^[a-z][a-z0-9-]*$/, 'service name'),
    schema: checked(s.schema, /^[a-z][a-z0-9_]*$/, 'schema'),
    host: checked(typeof upstreamHost === 'function' ? upstreamHost(s) : upstreamHost, HOST_RE, 'upstream host'),
    port: checked(s.port, /^[0-9]{1,5}$/, 'port'),
    maxBody: checked(s.maxBody ?? '1m', /^[0-9]+[kKmM]?$/, 'maxBody'),
    readTimeoutS: checked(s.readTimeoutS ?? 60, /^[1-9][0-9]{0,5}$/, 'readTimeoutS'),
    buffering: s.streaming ? 'off' : 'on'
  }))

  const template = readFileSync(join(rootDir, 'gateway', 'nginx.conf.template'), 'utf8')
  const text = renderTemplate(template, values, { services })
  writeFileSync(join(runDir, 'nginx', 'nginx.conf'), text)
  return text
}

/** `-p <runDir> -c <file>` for a config rendered to `<runDir>/nginx/nginx.conf`. */
export function nginxArgs (file) {
  const conf = resolve(file)
  return ['-p', dirname(dirname(conf)), '-c', conf]
}

function executable (file) {
  try { accessSync(file, constants.X_OK); return true } catch { return false }
}

/** The nginx binary (/usr/sbin/nginx, else `nginx` on PATH), or null. */
export function findNginx (env = process.env) {
  if (executable('/usr/sbin/nginx')) return '/usr/sbin/nginx'
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir && executable(join(dir, 'nginx'))) return join(dir, 'nginx')
  }
  return null
}

/** findNginx(), installing Debian's package first when missing and running as root; else a clear error. */
export function ensureNginx () {
  const found = findNginx()
  if (found) return found
  const hint = 'nginx is not installed. Install it (Debian/Ubuntu: `sudo apt-get install -y nginx`) and run again.'
  if (process.getuid?.() !== 0 || !findOnPath('apt-get')) throw new Error(hint)
  for (const args of [['update'], ['install', '-y', 'nginx']]) {
    const r = spawnSync('apt-get', args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } })
    if (r.status !== 0) throw new Error(`apt-get ${args.join(' ')} failed. ${hint}`)
  }
  const installed = findNginx()
  if (!installed) throw new Error(hint)
  return installed
}

function findOnPath (name) {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => dir && executable(join(dir, name)))
}

/** `nginx -t` on a rendered config; returns nginx's output, throws with it when the config is rejected. */
export function testConfig (file, nginx = findNginx()) {
  if (!nginx) throw new Error('nginx is not installed (Debian/Ubuntu: apt-get install -y nginx)')
  const r = spawnSync(nginx, ['-t', ...nginxArgs(file)], { encoding: 'utf8' })
  const output = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim()
  if (r.status !== 0) throw new Error(`nginx -t rejected ${file}:\n${output}`)
  return output
}

// CLI: render (and test, when nginx is here) a config.
if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const args = process.argv.slice(2)
  const opt = (name) => { const i = args.indexOf(name); return i === -1 ? undefined : args[i + 1] }
  if (args[0] !== 'render' || !opt('--run-dir')) {
    console.error('usage: node scripts/lib/gateway.mjs render --run-dir <dir> [--web-root <dir>] [--upstream-host <host>|@service]')
    process.exit(2)
  }
  const host = opt('--upstream-host') ?? '127.0.0.1'
  renderGateway({ runDir: opt('--run-dir'), webRoot: opt('--web-root'), upstreamHost: host === '@service' ? (s) => s.name : host })
  console.log(`gateway config written to ${join(resolve(opt('--run-dir')), 'nginx', 'nginx.conf')}`)
}
