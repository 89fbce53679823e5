// Types for tls.mjs (plain Node), so TypeScript tests can import it.
import type { Env } from './fleet.mjs'
export const DEV_CERT_DAYS: number
export const RENEW_WITHIN_DAYS: number
export const DEV_SUBJECT_ALT_NAMES: string[]
export interface CertificatePaths { dir: string, cert: string, key: string }
export interface DevCertificate extends CertificatePaths {
  /** true when this call wrote the files */
  created: boolean
  /** why they were (re)written: 'missing', 'expiring on …', …; null when nothing was done */
  reason: string | null
  /** ISO time the certificate expires */
  validTo: string
}
export function devCertificatePaths (runDir: string): CertificatePaths
export function findOpenssl (env?: Env): string | null
export function ensureOpenssl (env?: Env): string
export function devCertificateProblem (paths: { cert: string, key: string }, options?: { renewWithinDays?: number, now?: number }): string | null
export function ensureDevCertificate (options: { runDir: string, force?: boolean, optional?: false, log?: (msg: string) => void, env?: Env, days?: number }): DevCertificate
export function ensureDevCertificate (options: { runDir: string, force?: boolean, optional: boolean, log?: (msg: string) => void, env?: Env, days?: number }): DevCertificate | null
