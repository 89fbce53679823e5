// Types for procs.mjs (plain Node), so TypeScript tests can import it.
export { setTimeout as sleep } from 'node:timers/promises'
export function readPid (file: string): number | null
export function writePid (file: string, pid: number): void
export function isAlive (pid: number | null | undefined, marker?: string): boolean
export function waitGone (pid: number, timeoutMs: number, marker?: string): Promise<boolean>
export function terminate (pid: number, options?: { signal?: NodeJS.Signals, timeoutMs?: number, marker?: string }): Promise<void>
export function spawnDetached (command: string, args: string[], options: { logFile: string, env?: NodeJS.ProcessEnv, cwd?: string, uid?: number, gid?: number }): number
export function portOpen (port: number, host?: string, timeoutMs?: number): Promise<boolean>
export function waitFor<T> (probe: () => Promise<T>, options: { timeoutMs: number, intervalMs?: number }): Promise<T | false>
export function httpStatus (url: string, timeoutMs?: number): Promise<number>
export function writeJsonAtomic (file: string, value: unknown): void
export function readJson (file: string): any
export function tail (file: string, n?: number): string
export function supervisorPidFile (runDir: string): string
export const SUPERVISOR_MARKER: string
export function supervisorPid (runDir: string): number | null
export function startedDir (runDir: string): string
export function listStarted (runDir: string): string[]
export function removeFile (file: string): void
