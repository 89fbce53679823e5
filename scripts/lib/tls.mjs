// The development TLS certificate (SPEC §11.4): a self-signed certificate for localhost that the gateway
// serves on HTTPS (base port + 443). Plain Node plus the `openssl` binary (Debian: package `openssl`);
// `npm start` calls ensureDevCertificate() before rendering the gateway, `node scripts/tls.mjs dev` does
// the same by hand. Production certificates come from certbot instead (infra/tls/certbot-renew.sh).
import { spawnSync } from 'node:child_process'
import { X509Certificate, createPrivateKey } from 'node:crypto'
import { accessSync, chmodSync, constants, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { delimiter, join, resolve } from 'node:path'

export const DEV_CERT_DAYS = 825 // the longest validity Apple platforms accept for a TLS server certificate
export const RENEW_WITHIN_DAYS = 30
export const DEV_SUBJECT_ALT_NAMES = ['DNS:localhost', 'IP Address:127.0.0.1', 'IP Address:0:0:0:0:0:0:0:1']
const DAY_MS = 24 * 60 * 60 * 1000
const OPENSSL_HINT = 'openssl is not installed. Install it (Debian/Ubuntu: `sudo apt-get install -y openssl`) and run again.'

/** `<runDir>/tls/dev.crt` and `dev.key`: where the development certificate lives. */
export function devCertificatePaths (runDir) {
  const dir = join(resolve(runDir), 'tls')
  return { dir, cert: join(dir, 'dev.crt'), key: join(dir, 'dev.key') }
}

function executable (file) {
  try { accessSync(file, constants.X_OK); return true } catch { return false }
}

/** The openssl binary (/usr/bin/openssl, else `openssl` on PATH), or null. */
export function findOpenssl (env = process.env) {
  if (executable('/usr/bin/openssl')) return '/usr/bin/openssl'
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir && executable(join(dir, 'openssl'))) return join(dir, 'openssl')
  }
  return null
}

/** findOpenssl(), installing Debian's package first when missing and running as root; else a clear error. */
export function ensureOpenssl (env = process.env) {
  const found = findOpenssl(env)
  if (found) return found
  const aptGet = (env.PATH ?? '').split(delimiter).some((dir) => dir && executable(join(dir, 'apt-get')))
  if (process.getuid?.() !== 0 || !aptGet) throw new Error(OPENSSL_HINT)
  for (const args of [['update'], ['install', '-y', 'openssl']]) {
    const r = spawnSync('apt-get', args, { stdio: 'inherit', env: { ...env, DEBIAN_FRONTEND: 'noninteractive' } })
    if (r.status !== 0) throw new Error(`apt-get ${args.join(' ')} failed. ${OPENSSL_HINT}`)
  }
  const installed = findOpenssl(env)
  if (!installed) throw new Error(OPENSSL_HINT)
  return installed
}

/**
 * What is wrong with the certificate and key at these paths for local HTTPS, or null when they are fine:
 * missing or unreadable, not matching each other, without the localhost names, or expiring within
 * `renewWithinDays`.
 */
export function devCertificateProblem ({ cert, key }, { renewWithinDays = RENEW_WITHIN_DAYS, now = Date.now() } = {}) {
  if (!existsSync(cert) || !existsSync(key)) return 'missing'
  let x509
  try {
    x509 = new X509Certificate(readFileSync(cert))
    if (!x509.checkPrivateKey(createPrivateKey(readFileSync(key)))) return 'the key does not match the certificate'
  } catch (err) {
    return `unreadable (${err.message})`
  }
  const names = (x509.subjectAltName ?? '').split(', ')
  const absent = DEV_SUBJECT_ALT_NAMES.filter((n) => !names.includes(n))
  if (absent.length > 0) return `without ${absent.join(', ')}`
  const expires = Date.parse(x509.validTo)
  if (expires - now < renewWithinDays * DAY_MS) return `expiring on ${new Date(expires).toISOString().slice(0, 10)}`
  return null
}

// A config of its own, so the result does not depend on the system's openssl.cnf (whose x509 defaults
// would make the certificate a CA). A server certificate, not a CA: browsers and Node accept it as a
// trust anchor when told to trust it.
const OPENSSL_CONFIG = `[req]
distinguished_name = dn
prompt = no
x509_extensions = server
[dn]
CN = localhost
O = Robbie development
[server]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1, IP:::1
subjectKeyIdentifier = hash
`

/**
 * Writes a self-signed EC P-256 certificate for localhost (SAN DNS:localhost, IP:127.0.0.1, IP:::1, valid
 * 825 days) to `<runDir>/tls/dev.crt` and `dev.key` (folder 0700, key 0600), only when the files are
 * missing, broken or expire within 30 days (`force` always writes). Both files are replaced together.
 * → { cert, key, created, reason, validTo }; with `optional`, a missing openssl is a warning and the
 * result is null (the gateway then serves HTTP only).
 */
export function ensureDevCertificate ({ runDir, force = false, optional = false, log = () => {}, env = process.env, days = DEV_CERT_DAYS } = {}) {
  if (!runDir) throw new Error('ensureDevCertificate: runDir is required')
  if (!Number.isInteger(days) || days < 31 || days > DEV_CERT_DAYS) throw new Error(`ensureDevCertificate: days must be 31–${DEV_CERT_DAYS}`)
  const paths = devCertificatePaths(runDir)
  const problem = force ? 'renewal forced' : devCertificateProblem(paths)
  if (!problem) return { ...paths, created: false, reason: null, validTo: validTo(paths.cert) }

  let openssl
  try {
    openssl = ensureOpenssl(env)
  } catch (err) {
    if (!optional) throw err
    log(`no development certificate, so no HTTPS: ${err.message}`)
    return null
  }
  mkdirSync(paths.dir, { recursive: true, mode: 0o700 })
  chmodSync(paths.dir, 0o700)
  const tmp = { config: `${paths.cert}.${process.pid}.cnf`, cert: `${paths.cert}.${process.pid}.tmp`, key: `${paths.key}.${process.pid}.tmp` }
  try {
    writeFileSync(tmp.config, OPENSSL_CONFIG, { mode: 0o600 })
    // The key file is created 0600 before openssl writes into it.
    writeFileSync(tmp.key, '', { mode: 0o600 })
    const r = spawnSync(openssl, [
      'req', '-x509', '-new', '-config', tmp.config,
      '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-sha256', '-days', String(days),
      '-keyout', tmp.key, '-out', tmp.cert
    ], { encoding: 'utf8' })
    if (r.status !== 0) throw new Error(`openssl could not make the development certificate:\n${(r.stderr || r.error?.message || '').trim()}`)
    chmodSync(tmp.key, 0o600)
    renameSync(tmp.key, paths.key)
    renameSync(tmp.cert, paths.cert)
  } finally {
    for (const file of Object.values(tmp)) rmSync(file, { force: true })
  }
  const result = { ...paths, created: true, reason: problem, validTo: validTo(paths.cert) }
  log(`development certificate written to ${paths.cert} (${problem === 'missing' ? 'new' : `replaced: ${problem}`}; valid until ${result.validTo.slice(0, 10)})`)
  return result
}

function validTo (cert) {
  return new Date(new X509Certificate(readFileSync(cert)).validTo).toISOString()
}
