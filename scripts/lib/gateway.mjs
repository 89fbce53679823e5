// Renders gateway/nginx.conf.template from the fleet list, and finds (or installs) nginx.
// Plain Node with no dependencies: `npm start` runs it on a fresh clone.
//
// CLI (used by the Dockerfile's gateway stage):
//   node scripts/lib/gateway.mjs render --run-dir <dir> [--web-root <dir>] [--upstream-host <host>|@service]
// `@service` points each upstream at the service's own name (compose DNS) instead of one host. The TLS and
// mode settings come from the environment (see renderGateway).
import { spawnSync } from 'node:child_process'
import { accessSync, constants, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { delimiter, dirname, join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { readFleet } from './fleet.mjs'
import { devCertificatePaths } from './tls.mjs'

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

/**
 * Fills a template: `{{<name}}…{{/name}}` defines a part (not output) that each `{{>name}}` line pastes;
 * `{{?KEY}}…{{/KEY}}` is kept only when values[KEY] is truthy; `{{#name}}…{{/name}}` is repeated once per
 * item of lists[name] with its `{{key}}`s; then `{{KEY}}` values. Any placeholder left over is an error.
 */
export function renderTemplate (template, values, lists = {}) {
  const parts = {}
  let text = template.replace(/^[ \t]*\{\{<(\w+)\}\}[ \t]*\n([\s\S]*?)^[ \t]*\{\{\/\1\}\}[ \t]*\n?/gm, (_, name, body) => {
    parts[name] = body
    return ''
  })
  text = text.replace(/^[ \t]*\{\{\?(\w+)\}\}[ \t]*\n([\s\S]*?)^[ \t]*\{\{\/\1\}\}[ \t]*\n?/gm, (_, key, body) => {
    if (!(key in values)) throw new Error(`gateway template: no value named ${key}`)
    return values[key] ? body : ''
  })
  // A part may paste other parts (not itself): a few rounds settle it.
  for (let round = 0; round < 5 && /\{\{>/.test(text); round++) {
    text = text.replace(/^[ \t]*\{\{>(\w+)\}\}[ \t]*\n?/gm, (_, name) => {
      if (!(name in parts)) throw new Error(`gateway template: no part named ${name}`)
      return parts[name]
    })
  }
  text = text.replace(/\{\{#(\w+)\}\}\n?([\s\S]*?)\{\{\/\1\}\}\n?/g, (_, name, body) => {
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
 * The TLS part of the gateway (SPEC §11.4) → { mode, tls, tlsListen?, cert?, key?, redirectListen?, acmeWebroot? }.
 * local (default): HTTP on the base port and, when TLS is on, HTTPS on base + 443. TLS is on when the
 * certificate is named (option or ROBBIE_TLS_CERT + ROBBIE_TLS_KEY) or the development certificate exists in
 * `<runDir>/tls/` (npm start makes it); ROBBIE_GATEWAY_TLS=on|off|auto (or option `tls`) forces it.
 * production (ROBBIE_GATEWAY_MODE=production or option `mode`): HTTPS on 443 with the named certificate
 * (required), 80 answering 301 to HTTPS (except certbot's challenges under ROBBIE_ACME_WEBROOT, default
 * /var/www/certbot), and the base port kept for the internal network.
 */
export function gatewayTls ({ runDir, port, listenHost = '127.0.0.1', mode, tls, tlsCert, tlsKey, env = process.env }) {
  mode = checked(mode ?? (env.ROBBIE_GATEWAY_MODE || 'local'), /^(local|production)$/, 'gateway mode (ROBBIE_GATEWAY_MODE: local or production)')
  const certIn = tlsCert ?? env.ROBBIE_TLS_CERT ?? ''
  const keyIn = tlsKey ?? env.ROBBIE_TLS_KEY ?? ''
  if (Boolean(certIn) !== Boolean(keyIn)) throw new Error('gateway: name both the TLS certificate and its key (ROBBIE_TLS_CERT and ROBBIE_TLS_KEY), or neither')
  const named = Boolean(certIn)
  const dev = devCertificatePaths(runDir)
  const paths = { cert: safePath(resolve(certIn || dev.cert), 'TLS certificate path'), key: safePath(resolve(keyIn || dev.key), 'TLS key path') }

  if (mode === 'production') {
    if (!named) throw new Error('gateway: production mode needs the certificate: ROBBIE_TLS_CERT and ROBBIE_TLS_KEY (e.g. /etc/letsencrypt/live/<domain>/fullchain.pem and privkey.pem)')
    if (tls === false) throw new Error('gateway: production mode always serves HTTPS')
    if ([80, 443].includes(Number(port))) throw new Error(`gateway: in production the base port (${port}) must not be 80 or 443`)
    const acmeWebroot = safePath(resolve(env.ROBBIE_ACME_WEBROOT || '/var/www/certbot'), 'ACME webroot (ROBBIE_ACME_WEBROOT)')
    return { mode, tls: true, tlsListen: '443', ...paths, redirectListen: '80', acmeWebroot }
  }
  const wanted = tls ?? { on: true, off: false }[checked(env.ROBBIE_GATEWAY_TLS || 'auto', /^(on|off|auto)$/, 'ROBBIE_GATEWAY_TLS (on, off or auto)')]
  const on = wanted ?? (named || (existsSync(dev.cert) && existsSync(dev.key)))
  if (!on) return { mode, tls: false }
  const httpsPort = Number(port) + 443
  if (httpsPort > 65535) throw new Error(`gateway: the HTTPS port (base ${port} + 443) is above 65535`)
  return { mode, tls: true, tlsListen: `${listenHost}:${httpsPort}`, ...paths }
}

/**
 * Renders the gateway config for `fleet` (default: fleet.json with `env`) into `<runDir>/nginx/nginx.conf`,
 * creating the temp and log folders, and returns its text.
 * env: ROBBIE_GATEWAY_HOST (listen address, default 127.0.0.1), ROBBIE_GATEWAY_RATE / _BURST (limit_req,
 * default 20 r/s, burst 40), ROBBIE_GATEWAY_WORKERS (default auto), ROBBIE_GATEWAY_USER (default: root when
 * rendered as uid 0, so workers can read a web root under a mode-700 home; else none), and the TLS settings
 * of gatewayTls(): ROBBIE_GATEWAY_MODE, ROBBIE_GATEWAY_TLS, ROBBIE_TLS_CERT, ROBBIE_TLS_KEY, ROBBIE_ACME_WEBROOT.
 * upstreamHost: a host for every upstream, or a function of the service.
 */
export function renderGateway ({ rootDir = ROOT, runDir, fleet, webRoot, upstreamHost = '127.0.0.1', env = process.env, mode, tls, tlsCert, tlsKey }) {
  if (!runDir) throw new Error('renderGateway: runDir is required')
  runDir = resolve(runDir)
  fleet ??= readFleet(rootDir, env)
  if (!fleet.services.some((s) => s.name === 'chat')) throw new Error('gateway: /ws needs a chat service in the fleet')
  for (const dir of ['nginx', 'logs', ...TEMP_DIRS.map((d) => join('tmp', d))]) mkdirSync(join(runDir, dir), { recursive: true })

  const user = env.ROBBIE_GATEWAY_USER || (process.getuid?.() === 0 ? 'root' : '')
  const listenHost = checked(env.ROBBIE_GATEWAY_HOST || '127.0.0.1', HOST_RE, 'listen host')
  const port = checked(fleet.portBase, /^[0-9]{1,5}$/, 'port')
  const edge = gatewayTls({ runDir, port, listenHost, mode, tls, tlsCert, tlsKey, env })
  const values = {
    USER_DIRECTIVE: user ? `user ${checked(user, /^[a-z_][a-z0-9_-]*$/, 'user')};` : '# (not started as root: workers run as the current user)',
    WORKERS: checked(env.ROBBIE_GATEWAY_WORKERS || 'auto', /^(auto|[1-9][0-9]?)$/, 'worker count'),
    RUN_DIR: safePath(runDir, 'run dir'),
    WEB_ROOT: safePath(resolve(webRoot ?? defaultWebRoot(rootDir)), 'web root'),
    MIME_TYPES: safePath(mimeTypesFile(runDir), 'mime.types path'),
    LISTEN_HOST: listenHost,
    PORT: port,
    RATE: positiveInt(env, 'ROBBIE_GATEWAY_RATE', 20),
    BURST: positiveInt(env, 'ROBBIE_GATEWAY_BURST', 40),
    TLS: edge.tls,
    TLS_LISTEN: edge.tlsListen ?? '',
    TLS_CERT: edge.cert ?? '',
    TLS_KEY: edge.key ?? '',
    REDIRECT: Boolean(edge.redirectListen),
    REDIRECT_LISTEN: edge.redirectListen ?? '',
    ACME_WEBROOT: edge.acmeWebroot ?? ''
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
