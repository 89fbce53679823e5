// Types for fleet.mjs (plain Node), so TypeScript tests can import it.
export interface FleetService {
  name: string
  port: number
  schema: string
  envName: string
  streaming: boolean
  readTimeoutS: number
  maxBody: string
}
export interface Fleet { services: FleetService[], portBase: number, servicePortBase: number }
export type Env = Record<string, string | undefined>
export function schemaOf (name: string): string
export function envNameOf (name: string): string
export function readFleet (rootDir: string, env?: Env): Fleet
export function serviceUrls (fleet: Fleet, host?: string | ((service: FleetService) => string)): Record<string, string>
