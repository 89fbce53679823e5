// TLS helpers (SPEC §11.4). Plain Node plus the `openssl` binary (Debian/Ubuntu: apt-get install -y openssl).
//   node scripts/tls.mjs dev [--run-dir <dir>] [--force]
//     Makes the self-signed development certificate for localhost in <runDir>/tls/ (dev.crt, dev.key 0600)
//     when it is missing or expires within 30 days; otherwise changes nothing. npm start does the same.
//     Run dir: --run-dir, else ROBBIE_RUN_DIR, else <repo>/.run.
// Production certificates: infra/tls/certbot-renew.sh (docs/operations.md, "TLS").
import { join, resolve } from 'node:path'
import { ensureDevCertificate } from './lib/tls.mjs'

const args = process.argv.slice(2)
const opt = (name) => { const i = args.indexOf(name); return i === -1 ? undefined : args[i + 1] }
const usage = 'usage: node scripts/tls.mjs dev [--run-dir <dir>] [--force]'

if (args[0] !== 'dev' || (args.includes('--run-dir') && !opt('--run-dir'))) {
  console.error(usage)
  process.exit(2)
}
const runDir = resolve(opt('--run-dir') ?? process.env.ROBBIE_RUN_DIR ?? join(import.meta.dirname, '..', '.run'))
try {
  const result = ensureDevCertificate({ runDir, force: args.includes('--force'), log: (msg) => console.log(msg) })
  if (!result.created) console.log(`development certificate ${result.cert} is valid until ${result.validTo.slice(0, 10)}; nothing to do`)
  console.log(`trust it for a client, e.g.: curl --cacert ${result.cert} https://localhost:<ROBBIE_PORT_BASE + 443>/healthz`)
} catch (err) {
  console.error(`tls: ${err.message}`)
  process.exit(1)
}
