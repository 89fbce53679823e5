// Types for gateway.mjs (plain Node), so TypeScript tests can import it.
import type { Env, Fleet, FleetService } from './fleet.mjs'
export interface RenderOptions {
  rootDir?: string
  runDir: string
  fleet?: Fleet
  webRoot?: string
  upstreamHost?: string | ((service: FleetService) => string)
  env?: Env
}
export function defaultWebRoot (rootDir?: string): string
export function renderTemplate (template: string, values: Record<string, unknown>, lists?: Record<string, Record<string, unknown>[]>): string
export function renderGateway (options: RenderOptions): string
export function nginxArgs (file: string): string[]
export function findNginx (env?: Env): string | null
export function ensureNginx (): string
export function testConfig (file: string, nginx?: string | null): string
