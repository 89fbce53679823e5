// Types for gateway.mjs (plain Node), so TypeScript tests can import it.
import type { Env, Fleet, FleetService } from './fleet.mjs'
export interface RenderOptions {
  rootDir?: string
  runDir: string
  fleet?: Fleet
  webRoot?: string
  upstreamHost?: string | ((service: FleetService) => string)
  env?: Env
  /** local (default; env ROBBIE_GATEWAY_MODE) or production (443 + 80 → 301, certificate required) */
  mode?: GatewayMode
  /** local mode: force HTTPS on base + 443 on or off (default: env ROBBIE_GATEWAY_TLS, else when a certificate exists) */
  tls?: boolean
  /** certificate and key (default: env ROBBIE_TLS_CERT / ROBBIE_TLS_KEY, else <runDir>/tls/dev.crt and dev.key) */
  tlsCert?: string
  tlsKey?: string
}
export type GatewayMode = 'local' | 'production'
export interface GatewayTls {
  mode: GatewayMode
  tls: boolean
  /** the HTTPS listen address: `<host>:<base + 443>` locally, `443` in production */
  tlsListen?: string
  cert?: string
  key?: string
  /** production only: `80`, answering 301 to HTTPS */
  redirectListen?: string
  acmeWebroot?: string
}
export function gatewayTls (options: { runDir: string, port: string | number, listenHost?: string, mode?: GatewayMode, tls?: boolean, tlsCert?: string, tlsKey?: string, env?: Env }): GatewayTls
export function defaultWebRoot (rootDir?: string): string
export function renderTemplate (template: string, values: Record<string, unknown>, lists?: Record<string, Record<string, unknown>[]>): string
export function renderGateway (options: RenderOptions): string
export function nginxArgs (file: string): string[]
export function findNginx (env?: Env): string | null
export function ensureNginx (): string
export function testConfig (file: string, nginx?: string | null): string
