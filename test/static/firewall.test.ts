// The edge's deployment pieces that cannot run for real here (SPEC §11.4): the firewall script (ufw), the
// certbot script and the production gateway config are checked through their --dry-run output, `bash -n`
// and `nginx -t`. The fail2ban filter is checked for real: the real fail2ban-regex (installed by the set-up
// when missing) reads access-log lines that the real nginx, rendered from the gateway template, wrote for
// requests answered 401 and 200 by a stand-in service.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import http from 'node:http'
import net from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readFleet } from '../../scripts/lib/fleet.mjs'
import { findNginx, nginxArgs, renderGateway, testConfig } from '../../scripts/lib/gateway.mjs'
import { ensureDevCertificate } from '../../scripts/lib/tls.mjs'

const ROOT = resolve(import.meta.dirname, '..', '..')
const FIREWALL = join(ROOT, 'infra/firewall/firewall.sh')
const CERTBOT = join(ROOT, 'infra/tls/certbot-renew.sh')
const FILTER = join(ROOT, 'infra/firewall/fail2ban/filter.d/robbie-gateway.conf')
const JAIL = join(ROOT, 'infra/firewall/fail2ban/jail.d/robbie-gateway.conf')
const tmp = mkdtempSync(join(tmpdir(), 'robbie-edge-'))
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

interface Run { status: number | null, stdout: string, stderr: string }
/** Runs a script with only the given variables (plus PATH), never as a login shell. */
function script (file: string, args: string[], env: Record<string, string> = {}): Run {
  const r = spawnSync('bash', [file, ...args], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env } })
  return { status: r.status, stdout: r.stdout, stderr: r.stderr }
}
const lines = (text: string): string[] => text.split('\n').filter(Boolean)

describe('scripts', () => {
  it('pass bash -n', () => {
    for (const file of [FIREWALL, CERTBOT]) {
      const r = spawnSync('bash', ['-n', file], { encoding: 'utf8' })
      expect(r.status, `${file}: ${r.stderr}`).toBe(0)
    }
  })
})

describe('infra/firewall/firewall.sh --dry-run', () => {
  it('prints the exact ufw commands: deny incoming, SSH from each admin network, 443, 80, WireGuard, enable', () => {
    const r = script(FIREWALL, ['--dry-run', 'ufw'], { ADMIN_CIDRS: '203.0.113.4/32, 2001:db8::/48' })
    expect(r.status, r.stderr).toBe(0)
    expect(lines(r.stdout)).toEqual([
      'ufw default deny incoming',
      'ufw default allow outgoing',
      "ufw allow from 203.0.113.4/32 to any port 22 proto tcp comment 'robbie: ssh from admin'",
      "ufw allow from 2001:db8::/48 to any port 22 proto tcp comment 'robbie: ssh from admin'",
      "ufw allow 443/tcp comment 'robbie: https'",
      "ufw allow 80/tcp comment 'robbie: http, 301 to https and acme'",
      "ufw allow 51820/udp comment 'robbie: wireguard'",
      'ufw --force enable'
    ])
    expect(r.stderr).toBe('')
  })

  it('opens SSH to everyone, with a warning, when ADMIN_CIDRS is unset; honours SSH_PORT and WIREGUARD_PORT', () => {
    const r = script(FIREWALL, ['--dry-run', 'ufw'], { SSH_PORT: '2222', WIREGUARD_PORT: '51821' })
    expect(r.status).toBe(0)
    expect(lines(r.stdout)).toEqual([
      'ufw default deny incoming',
      'ufw default allow outgoing',
      "ufw allow 2222/tcp comment 'robbie: ssh'",
      "ufw allow 443/tcp comment 'robbie: https'",
      "ufw allow 80/tcp comment 'robbie: http, 301 to https and acme'",
      "ufw allow 51821/udp comment 'robbie: wireguard'",
      'ufw --force enable'
    ])
    expect(r.stderr).toMatch(/warning: ADMIN_CIDRS is not set: SSH \(port 2222\) stays open to every address/)
  })

  it('prints the fail2ban installation: copy filter and jail, set the log and chain, test, reload', () => {
    const r = script(FIREWALL, ['--dry-run', 'install'], {
      ROBBIE_GATEWAY_ACCESS_LOG: '/var/lib/docker/containers/*/*-json.log', ROBBIE_FAIL2BAN_CHAIN: 'DOCKER-USER'
    })
    expect(r.status, r.stderr).toBe(0)
    expect(lines(r.stdout)).toEqual([
      'install -d -m 0755 /etc/fail2ban/filter.d /etc/fail2ban/jail.d',
      `install -m 0644 ${FILTER} /etc/fail2ban/filter.d/robbie-gateway.conf`,
      `install -m 0644 ${JAIL} /etc/fail2ban/jail.d/robbie-gateway.conf`,
      "sed -i 's|^logpath .*|logpath  = /var/lib/docker/containers/*/*-json.log|' /etc/fail2ban/jail.d/robbie-gateway.conf",
      "sed -i 's|^# chain .*|chain    = DOCKER-USER|' /etc/fail2ban/jail.d/robbie-gateway.conf",
      'fail2ban-client -c /etc/fail2ban -t',
      'systemctl reload-or-restart fail2ban'
    ])
  })

  it('does both by default (apply), ufw first', () => {
    const r = script(FIREWALL, ['--dry-run'], { ADMIN_CIDRS: '10.0.0.0/8' })
    expect(r.status).toBe(0)
    const out = lines(r.stdout)
    expect(out[0]).toBe('ufw default deny incoming')
    expect(out.indexOf('ufw --force enable')).toBeLessThan(out.findIndex((l) => l.startsWith('install ')))
    expect(out.at(-1)).toBe('systemctl reload-or-restart fail2ban')
  })

  it('refuses bad values before printing or running anything', () => {
    const bad: Record<string, string>[] = [{ ADMIN_CIDRS: '10.0.0.0/8 everyone' }, { SSH_PORT: '22; reboot' }, { ROBBIE_GATEWAY_ACCESS_LOG: 'relative.log' }]
    for (const env of bad) {
      const r = script(FIREWALL, ['--dry-run'], env)
      expect(r.status, JSON.stringify(env)).toBe(2)
      expect(r.stdout).toBe('')
    }
    expect(script(FIREWALL, ['--dry-run', 'reset']).status).toBe(2)
  })

  it('without --dry-run, refuses to run without root or ufw instead of half-configuring', () => {
    // Only where it cannot change anything: not root, or no ufw on this machine.
    const hasUfw = spawnSync('sh', ['-c', 'command -v ufw'], { encoding: 'utf8' }).status === 0
    if (process.getuid?.() === 0 && hasUfw) {
      expect(hasUfw).toBe(true) // a machine with a real firewall: not touched by tests
      return
    }
    const r = script(FIREWALL, ['ufw'])
    expect(r.status).toBe(2)
    expect(r.stdout).toBe('')
    expect(r.stderr).toMatch(process.getuid?.() === 0 ? /ufw is not installed: apt-get install -y ufw/ : /run as root/)
  })
})

describe('infra/tls/certbot-renew.sh --dry-run', () => {
  const env = { ROBBIE_DOMAIN: 'robbie.example.com,www.robbie.example.com', ROBBIE_ACME_EMAIL: 'ops@example.com', ROBBIE_NGINX_RELOAD: 'nginx -s reload' }

  it('obtains with the webroot (or standalone for the first certificate), ECDSA, with the reload as deploy hook', () => {
    const webroot = script(CERTBOT, ['--dry-run', 'obtain'], env)
    expect(webroot.status, webroot.stderr).toBe(0)
    expect(lines(webroot.stdout)).toEqual([
      'install -d -m 0755 /var/www/certbot',
      'certbot certonly --webroot -w /var/www/certbot -d robbie.example.com -d www.robbie.example.com --cert-name robbie.example.com ' +
        '--email ops@example.com --agree-tos --no-eff-email --non-interactive --keep-until-expiring --key-type ecdsa --elliptic-curve secp256r1 ' +
        "--deploy-hook 'nginx -s reload'"
    ])
    expect(webroot.stderr).toContain('/etc/letsencrypt/live/robbie.example.com/fullchain.pem')
    const standalone = script(CERTBOT, ['--dry-run', 'obtain', '--standalone'], { ...env, ROBBIE_ACME_STAGING: '1' })
    expect(lines(standalone.stdout)).toEqual([expect.stringMatching(/^certbot certonly --standalone -d robbie\.example\.com .* --test-cert --deploy-hook 'nginx -s reload'$/)])
  })

  it('renews through the webroot and reloads nginx; installs a twice-daily systemd timer', () => {
    const renew = script(CERTBOT, ['--dry-run', 'renew'], env)
    expect(lines(renew.stdout)).toEqual(["certbot renew --webroot -w /var/www/certbot --non-interactive --quiet --deploy-hook 'nginx -s reload'"])
    const timer = script(CERTBOT, ['--dry-run', 'install-timer'], env)
    expect(timer.status, timer.stderr).toBe(0)
    expect(timer.stdout).toContain(`ExecStart=${CERTBOT} renew`)
    expect(timer.stdout).toContain('OnCalendar=*-*-* 03,15:17:00')
    expect(timer.stdout).toContain('Environment="ROBBIE_NGINX_RELOAD=nginx -s reload"')
    expect(lines(timer.stdout).slice(-2)).toEqual(['systemctl daemon-reload', 'systemctl enable --now robbie-certbot-renew.timer'])
    expect(timer.stderr).toContain(`17 3,15 * * * root ${CERTBOT} renew`)
  })

  it('refuses to obtain without a domain and an e-mail address', () => {
    expect(script(CERTBOT, ['--dry-run', 'obtain'], { ROBBIE_ACME_EMAIL: 'ops@example.com' }).status).toBe(2)
    expect(script(CERTBOT, ['--dry-run', 'obtain'], { ROBBIE_DOMAIN: 'robbie.example.com' }).status).toBe(2)
    expect(script(CERTBOT, ['--dry-run', 'obtain'], { ...env, ROBBIE_DOMAIN: 'bad domain;' }).status).toBe(2)
  })
})

describe('production gateway config', () => {
  const runDir = join(tmp, 'production')
  const fleet = readFleet(ROOT, {})
  const cert = ensureDevCertificate({ runDir: join(tmp, 'cert') }) // stands in for the Let's Encrypt files

  it('listens on 443 (HTTP/2, TLS) and 80 (301 to HTTPS, ACME challenges), keeps the base port, and passes nginx -t', () => {
    const text = renderGateway({ rootDir: ROOT, runDir, fleet, env: { ROBBIE_GATEWAY_MODE: 'production', ROBBIE_TLS_CERT: cert.cert, ROBBIE_TLS_KEY: cert.key } })
    expect(text).toContain('listen 127.0.0.1:3000;')
    expect(text).toContain('listen 443 ssl http2;')
    expect(text).toContain('listen 80;')
    expect(text).toContain('return 301 https://$host$request_uri;')
    expect(text).toMatch(/location \^~ \/\.well-known\/acme-challenge\/ \{\s*root "\/var\/www\/certbot";/)
    expect(text).toContain(`ssl_certificate "${cert.cert}";`)
    expect(text).toContain('ssl_protocols TLSv1.2 TLSv1.3;')
    expect(text).toContain('ssl_prefer_server_ciphers off;')
    expect(text).toContain('ssl_session_tickets off;')
    // HSTS in the HTTPS server only; the other headers and the JSON errors in all three servers.
    expect(text.match(/add_header Strict-Transport-Security "max-age=63072000; includeSubDomains" always;/g)).toHaveLength(1)
    expect(text.match(/add_header Content-Security-Policy /g)).toHaveLength(3)
    expect(text.match(/error_page 404 @gateway_not_found;/g)).toHaveLength(3)
    // the site itself on the internal port and on 443
    expect(text.match(/location \/api\/auth\/ \{/g)).toHaveLength(2)
    expect(testConfig(join(runDir, 'nginx', 'nginx.conf'), findNginx())).toContain('test is successful')
  })

  it('needs a named certificate, and never turns TLS off', () => {
    expect(() => renderGateway({ rootDir: ROOT, runDir, fleet, env: { ROBBIE_GATEWAY_MODE: 'production' } })).toThrow(/ROBBIE_TLS_CERT/)
    expect(() => renderGateway({ rootDir: ROOT, runDir, fleet, env: { ROBBIE_TLS_CERT: cert.cert } })).toThrow(/ROBBIE_TLS_KEY/)
    expect(() => renderGateway({ rootDir: ROOT, runDir, fleet, mode: 'production', tls: false, tlsCert: cert.cert, tlsKey: cert.key })).toThrow(/always/)
    expect(() => renderGateway({ rootDir: ROOT, runDir, fleet, env: { ROBBIE_GATEWAY_MODE: 'staging' } })).toThrow(/gateway mode/)
    expect(() => renderGateway({ rootDir: ROOT, runDir, fleet, env: { ROBBIE_TLS_CERT: '/x/a"; evil', ROBBIE_TLS_KEY: '/x/k' } })).toThrow(/TLS certificate path/)
  })

  it('locally: HTTPS on base + 443 once the development certificate exists, unless ROBBIE_GATEWAY_TLS=off', () => {
    const local = join(tmp, 'local')
    expect(renderGateway({ rootDir: ROOT, runDir: local, fleet, env: {} })).not.toContain(' ssl ')
    ensureDevCertificate({ runDir: local })
    const text = renderGateway({ rootDir: ROOT, runDir: local, fleet, env: {} })
    expect(text).toContain('listen 127.0.0.1:3443 ssl http2;')
    expect(text).toContain(`ssl_certificate "${join(local, 'tls', 'dev.crt')}";`)
    expect(text).not.toContain('listen 80;')
    expect(testConfig(join(local, 'nginx', 'nginx.conf'), findNginx())).toContain('test is successful')
    expect(renderGateway({ rootDir: ROOT, runDir: local, fleet, env: { ROBBIE_GATEWAY_TLS: 'off' } })).not.toContain(' ssl ')
    const named = renderGateway({ rootDir: ROOT, runDir: local, fleet, env: { ROBBIE_TLS_CERT: cert.cert, ROBBIE_TLS_KEY: cert.key } })
    expect(named).toContain(`ssl_certificate_key "${cert.key}";`)
  })
})

// ---- fail2ban against real gateway log lines -------------------------------------------------------

describe('fail2ban filter and jail', () => {
  const runDir = join(tmp, 'gateway')
  const accessLog = join(runDir, 'logs', 'gateway.access.log')
  let nginx: ChildProcess | null = null
  let upstream: http.Server | null = null
  let port = 0
  let fail2banRegex = ''
  const sent = { unauthorized: 0, other: 0 }

  const listen = (server: net.Server, at: number): Promise<void> => new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(at, '127.0.0.1', () => { server.off('error', reject); resolve() })
  })
  async function freePort (): Promise<number> {
    const s = net.createServer()
    await listen(s, 0)
    const p = (s.address() as net.AddressInfo).port
    await new Promise((resolve) => s.close(resolve))
    return p
  }
  /** A request from a chosen loopback address (127.0.0.0/8 is all local on Linux) → its status. */
  const request = (from: string, path: string, { method = 'GET', token }: { method?: string, token?: string } = {}): Promise<number> =>
    new Promise((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, path, method, localAddress: from, agent: false, headers: token ? { authorization: `Bearer ${token}` } : {} }, (res) => {
        res.resume()
        res.on('end', () => resolve(res.statusCode ?? 0))
      })
      req.on('error', reject)
      req.end()
    })

  beforeAll(async () => {
    // The set-up step scripts/test.mjs can call too: installs fail2ban when missing (as root with apt-get).
    const ensured = spawnSync(process.execPath, ['--input-type=module', '-e',
      "import { ensureFail2ban } from './scripts/lib/provision.mjs'; console.log(ensureFail2ban())"], { cwd: ROOT, encoding: 'utf8' })
    if (ensured.status !== 0) throw new Error(`fail2ban-regex is needed: ${ensured.stderr}`)
    fail2banRegex = lines(ensured.stdout).at(-1)!

    // auth's stand-in: 401 unless the token is "good"
    upstream = http.createServer((req, res) => {
      const ok = req.headers.authorization === 'Bearer good'
      res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' })
      res.end(ok ? '{}' : JSON.stringify({ error: { code: 'AUTH_UNAUTHENTICATED', message: 'Sign in.', requestId: 'x' } }))
    })
    const upstreamPort = await freePort()
    await listen(upstream, upstreamPort)
    port = await freePort()
    const env = { ROBBIE_PORT_BASE: String(port), ROBBIE_SERVICE_PORT_BASE: String(upstreamPort - 1), ROBBIE_GATEWAY_WORKERS: '1', ROBBIE_GATEWAY_RATE: '1000', ROBBIE_GATEWAY_BURST: '1000' }
    renderGateway({ rootDir: ROOT, runDir, fleet: readFleet(ROOT, env), env })
    const binary = findNginx()
    if (!binary) throw new Error('nginx is not installed (apt-get install -y nginx)')
    nginx = spawn(binary, [...nginxArgs(join(runDir, 'nginx', 'nginx.conf')), '-g', 'daemon off;'], { stdio: 'ignore' })
    for (let i = 0; i < 100 && !existsSync(join(runDir, 'nginx', 'nginx.pid')); i++) await new Promise((resolve) => setTimeout(resolve, 50))
    await new Promise((resolve) => setTimeout(resolve, 100))

    const count = async (from: string, path: string, options: { method?: string, token?: string } = {}): Promise<void> => {
      const status = await request(from, path, options)
      if (status === 401) sent.unauthorized++
      else sent.other++
    }
    // 127.0.0.2 keeps failing; 127.0.0.3 does everything else, including a path that imitates the log fields.
    for (let i = 0; i < 7; i++) await count('127.0.0.2', '/api/auth/me')
    await count('127.0.0.2', '/api/auth/login', { method: 'POST' })
    await count('127.0.0.2', '/api/auth/me', { token: 'revoked' })
    for (let i = 0; i < 4; i++) await count('127.0.0.3', '/api/auth/me', { token: 'good' })
    await count('127.0.0.3', '/healthz')
    await count('127.0.0.3', '/internal/x')
    await count('127.0.0.3', '/api/auth/x%22,%22remoteAddr%22:%2210.9.9.9%22,%22status%22:401,', { token: 'good' })
    await count('127.0.0.3', '/api/auth/x%22,%22status%22:401,%22', { token: 'good' })
    // nginx logs after the answer went out: wait until every line is in the file
    const total = sent.unauthorized + sent.other
    for (let i = 0; i < 50 && (existsSync(accessLog) ? lines(readFileSync(accessLog, 'utf8')).length : 0) < total; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  }, 300_000)

  afterAll(async () => {
    if (nginx && nginx.exitCode === null) {
      const exited = new Promise((resolve) => nginx!.once('exit', resolve))
      process.kill(nginx.pid!, 'SIGTERM') // only the nginx master this file started
      await exited
    }
    if (upstream) await new Promise((resolve) => upstream!.close(resolve))
  })

  /** fail2ban-regex on a log file with our filter → the address of every matched line, and its summary line. */
  function runFilter (logFile: string): { ips: string[], summary: string } {
    const ips = spawnSync(fail2banRegex, ['--out', 'ip', logFile, FILTER], { encoding: 'utf8' })
    expect(ips.status, ips.stderr).toBe(0)
    const full = spawnSync(fail2banRegex, ['--print-no-missed', logFile, FILTER], { encoding: 'utf8' })
    expect(full.status, full.stderr).toBe(0)
    return { ips: lines(ips.stdout), summary: /^Lines: .*$/m.exec(full.stdout)?.[0] ?? full.stdout }
  }

  it('the gateway wrote one JSON line per request, 401s from one address and the rest from another', () => {
    const logged = lines(readFileSync(accessLog, 'utf8')).map((l) => JSON.parse(l) as { remoteAddr: string, status: number, path: string })
    expect(sent.unauthorized).toBe(9)
    expect(logged).toHaveLength(sent.unauthorized + sent.other)
    expect(logged.filter((l) => l.status === 401).map((l) => l.remoteAddr)).toEqual(Array(9).fill('127.0.0.2'))
    expect(logged.filter((l) => l.status !== 401).every((l) => l.remoteAddr === '127.0.0.3')).toBe(true)
    expect(logged.some((l) => l.path.includes('"remoteAddr":"10.9.9.9"'))).toBe(true) // the imitation reached the log
  })

  it('fail2ban-regex matches exactly the 401 lines, with the real client address', () => {
    const { ips, summary } = runFilter(accessLog)
    expect(ips).toEqual(Array(sent.unauthorized).fill('127.0.0.2'))
    const total = sent.unauthorized + sent.other
    expect(summary).toBe(`Lines: ${total} lines, 0 ignored, ${sent.unauthorized} matched, ${sent.other} missed`)
  })

  it('matches the same lines as Docker\'s json-file log driver stores them (gateway container on stdout)', () => {
    const dockerLog = join(tmp, 'container-json.log')
    const wrapped = lines(readFileSync(accessLog, 'utf8')).map((line) => JSON.stringify({ log: `${line}\n`, stream: 'stdout', time: new Date().toISOString() }))
    writeFileSync(dockerLog, wrapped.join('\n') + '\n')
    const { ips, summary } = runFilter(dockerLog)
    expect(ips).toEqual(Array(sent.unauthorized).fill('127.0.0.2'))
    expect(summary).toBe(`Lines: ${wrapped.length} lines, 0 ignored, ${sent.unauthorized} matched, ${sent.other} missed`)
  })

  it('the jail, installed with the commands firewall.sh prints, passes fail2ban-client -t: 20 in 60 s bans for 15 min', () => {
    // A copy of the system's fail2ban configuration, without Debian's sshd jail (no auth.log here).
    const dir = join(tmp, 'fail2ban')
    cpSync('/etc/fail2ban', dir, { recursive: true })
    rmSync(join(dir, 'jail.d', 'defaults-debian.conf'), { force: true })
    const printed = script(FIREWALL, ['--dry-run', 'install'], { FAIL2BAN_DIR: dir, ROBBIE_GATEWAY_ACCESS_LOG: accessLog, ROBBIE_FAIL2BAN_CHAIN: 'DOCKER-USER' })
    expect(printed.status, printed.stderr).toBe(0)
    // Run what it printed, up to (not including) the reload of the live fail2ban.
    for (const line of lines(printed.stdout).filter((l) => /^(install|sed) /.test(l))) {
      const r = spawnSync('bash', ['-c', line], { encoding: 'utf8' })
      expect(r.status, `${line}: ${r.stderr}`).toBe(0)
    }
    const check = spawnSync('fail2ban-client', ['-c', dir, '-t'], { encoding: 'utf8' })
    expect(check.status, check.stdout + check.stderr).toBe(0)
    const dump = spawnSync('fail2ban-client', ['-c', dir, '-d'], { encoding: 'utf8' }).stdout
    expect(dump).toContain("['set', 'robbie-gateway', 'maxretry', 20]")
    expect(dump).toContain("['set', 'robbie-gateway', 'findtime', '60']")
    expect(dump).toContain("['set', 'robbie-gateway', 'bantime', '900']")
    expect(dump).toContain(`['set', 'robbie-gateway', 'addlogpath', '${accessLog}', 'head']`)
    expect(dump).toContain("['chain', 'DOCKER-USER']")
    expect(dump).toContain("['port', 'http,https']")
  })
})
