// Static checks of the deployment files, which cannot run here (no Docker engine): docker-compose.yml, the
// services/ folders and fleet.json name the same services on the same ports; the rendered gateway config
// covers every service and passes `nginx -t`; the Postgres init script covers every schema.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { readFleet, serviceUrls } from '../../scripts/lib/fleet.mjs'
import { findNginx, renderGateway, testConfig } from '../../scripts/lib/gateway.mjs'

const ROOT = resolve(import.meta.dirname, '..', '..')
const fleet = readFleet(ROOT, {}) // defaults: the ports compose uses
const fleetNames = fleet.services.map((s) => s.name)

interface ComposeService {
  build?: { target?: string, args?: Record<string, string> }
  ports?: unknown[]
  expose?: string[]
  environment?: Record<string, string>
  depends_on?: Record<string, { condition: string }>
  volumes?: string[]
  healthcheck?: { test: string[] }
}
// merge: true resolves the `<<: *anchor` keys the file uses for shared parts
const compose = parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as { services: Record<string, ComposeService> }
const appServices = Object.entries(compose.services).filter(([, s]) => s.build?.target === 'service')

describe('docker-compose.yml', () => {
  it('runs every fleet service, in an image built for it, on its fleet port', () => {
    expect(appServices.map(([name]) => name).sort()).toEqual([...fleetNames].sort())
    for (const { name, port } of fleet.services) {
      const svc = compose.services[name]!
      expect(svc.build?.args?.SERVICE).toBe(name)
      expect(svc.environment?.PORT).toBe(String(port))
      expect(svc.environment?.HOST).toBe('0.0.0.0')
      expect(svc.expose).toEqual([String(port)])
      expect(svc.environment?.ROBBIE_SERVICE_KEY_FILE).toBe(`/keys/svc-${name}.key`)
      expect(svc.environment?.DATABASE_URL).toMatch(new RegExp(`^postgres://robbie_${name.replaceAll('-', '_')}:`))
      expect(svc.environment?.REDIS_URL).toBe('redis://redis:6379')
      expect(svc.healthcheck?.test.join(' ')).toContain(`http://127.0.0.1:${port}/api/${name}/readyz`)
    }
  })

  it('gives every service the URL of every other one on the compose network', () => {
    const urls = serviceUrls(fleet, (s) => s.name)
    for (const [, svc] of appServices) expect(svc.environment).toMatchObject(urls)
  })

  it('publishes ports for the gateway only (3000, and 3443 for TLS)', () => {
    const publishing = Object.entries(compose.services).filter(([, s]) => (s.ports ?? []).length > 0).map(([n]) => n)
    expect(publishing).toEqual(['gateway'])
    expect(compose.services.gateway!.ports).toEqual(['3000:3000', '3443:3443'])
  })

  it('starts no service before the key bootstrap has finished, and mounts the keys read-only', () => {
    for (const [name, svc] of appServices) {
      expect(svc.depends_on?.bootstrap, name).toEqual({ condition: 'service_completed_successfully' })
      expect(svc.volumes, name).toContain('keys:/keys:ro')
    }
    expect(compose.services.bootstrap!.depends_on?.migrate).toEqual({ condition: 'service_completed_successfully' })
  })
})

describe('docker-compose.yml database roles', () => {
  it('hands the migrate job every role password, so it never resets one', () => {
    const env = (compose.services.migrate as unknown as { environment: Record<string, string> }).environment
    for (const { schema } of fleet.services) {
      const upper = schema.toUpperCase()
      expect(env).toHaveProperty(`ROBBIE_DB_PASSWORD_${upper}`)
      expect(env).toHaveProperty(`ROBBIE_DB_OWNER_PASSWORD_${upper}`)
    }
  })
})

describe('services/ folders', () => {
  it('match the fleet list (apart from _template)', () => {
    const dir = join(ROOT, 'services')
    const folders = readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory() && d.name !== '_template').map((d) => d.name)
    // Until the services land, the folder is empty; every folder that exists must be a fleet service.
    for (const name of folders) expect(fleetNames, `services/${name} is not in fleet.json`).toContain(name)
    if (folders.length > 0) expect(folders.sort()).toEqual([...fleetNames].sort())
  })
})

describe('fleet ports', () => {
  it('follow the fleet order above the service port base', () => {
    expect(fleet.services.map((s) => [s.name, s.port])).toEqual(fleetNames.map((n, i) => [n, 3101 + i]))
    expect(readFleet(ROOT, { ROBBIE_PORT_BASE: '4000' }).services[0]!.port).toBe(4101)
    expect(readFleet(ROOT, { ROBBIE_PORT_BASE: '4000', ROBBIE_SERVICE_PORT_BASE: '5000' }).services.at(-1)!.port).toBe(5000 + fleetNames.length)
  })
})

describe('infra/postgres/init', () => {
  it('creates a schema and its two roles for every fleet service', () => {
    const script = readFileSync(join(ROOT, 'infra/postgres/init/01-roles.sh'), 'utf8')
    const list = /^SERVICES="([^"]*)"/m.exec(script)?.[1]?.split(' ')
    expect(list).toEqual(fleetNames)
  })
})

describe('gateway config', () => {
  const runDir = mkdtempSync(join(tmpdir(), 'robbie-gw-static-'))
  afterAll(() => rmSync(runDir, { recursive: true, force: true }))
  const text = renderGateway({ rootDir: ROOT, runDir, fleet, env: {} })

  it('has a keepalive upstream and a /api/<name>/ location for every fleet service', () => {
    for (const { name, schema, port } of fleet.services) {
      expect(text).toMatch(new RegExp(`upstream svc_${schema} \\{\\s*server 127\\.0\\.0\\.1:${port};\\s*keepalive 32;`))
      expect(text).toContain(`location /api/${name}/ {`)
    }
  })

  it('sets each service\'s body limit, read timeout and buffering from fleet.json', () => {
    for (const s of fleet.services) {
      const block = text.slice(text.indexOf(`location /api/${s.name}/ {`)).split('}')[0]!
      expect(block).toContain(`client_max_body_size ${s.maxBody};`)
      expect(block).toContain(`proxy_read_timeout ${s.readTimeoutS}s;`)
      expect(block).toContain(`proxy_buffering ${s.streaming ? 'off' : 'on'};`)
    }
  })

  it('answers /internal/ and /api/*/internal/* with the JSON 404', () => {
    expect(text).toMatch(/location \/internal\/ \{\s*return 404;\s*\}/)
    expect(text).toMatch(/location ~ \^\/api\/\[\^\/\]\+\/internal\(\/\|\$\) \{\s*return 404;\s*\}/)
    expect(text).toContain('error_page 404 @gateway_not_found;')
    expect(text).toContain('"code":"GATEWAY_NOT_FOUND"')
  })

  it('writes its run folders and passes nginx -t', () => {
    for (const dir of ['logs', 'tmp/proxy', 'tmp/client_body']) expect(existsSync(join(runDir, dir))).toBe(true)
    const nginx = findNginx()
    expect(nginx, 'nginx is required: apt-get install -y nginx').not.toBeNull()
    expect(testConfig(join(runDir, 'nginx', 'nginx.conf'), nginx)).toContain('test is successful')
  })

  it('renders the compose variant: service names as upstream hosts, listening on every interface', () => {
    const dir = mkdtempSync(join(tmpdir(), 'robbie-gw-compose-'))
    try {
      const composeText = renderGateway({ rootDir: ROOT, runDir: dir, fleet, upstreamHost: (s) => s.name, env: { ROBBIE_GATEWAY_HOST: '0.0.0.0' } })
      expect(composeText).toContain('listen 0.0.0.0:3000;')
      for (const { name, port } of fleet.services) expect(composeText).toContain(`server ${name}:${port};`)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('refuses values that would inject directives', () => {
    expect(() => renderGateway({ rootDir: ROOT, runDir, fleet, env: { ROBBIE_GATEWAY_RATE: '20; user root' } })).toThrow(/ROBBIE_GATEWAY_RATE/)
    expect(() => renderGateway({ rootDir: ROOT, runDir, fleet, env: { ROBBIE_GATEWAY_HOST: '0.0.0.0; }' } })).toThrow(/listen host/)
  })
})
