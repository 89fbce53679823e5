// pino options shared by every service (CONVENTIONS §6). Redaction is a net, not the plan: code logs ids
// and sizes, never bodies, secret values, connection strings, prompts or email content.
import type { DestinationStream, LoggerOptions } from 'pino'

const SENSITIVE = ['password', 'token', 'secret', 'apiKey', 'plaintext', 'masterKey', 'key', 'refreshToken', 'accessToken', 'authorization', 'cookie']

export const REDACT_PATHS = [
  'req.headers.authorization', 'req.headers.cookie', 'req.headers["x-api-key"]', 'res.headers["set-cookie"]',
  'headers.authorization', 'headers.cookie',
  // pino's wildcards reach one level: top-level fields and fields of any object one level down
  ...SENSITIVE, ...SENSITIVE.map((f) => `*.${f}`)
]

export function loggerOptions (opts: { service: string, instance?: string, level: string, pretty: boolean }): LoggerOptions {
  return {
    level: opts.level,
    base: { service: opts.service, instance: opts.instance ?? `${opts.service}-${process.pid}` },
    timestamp: () => `,"time":"${new Date().toISOString()}"`,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    messageKey: 'msg',
    formatters: { level: (label) => ({ level: label }) },
    serializers: {
      req: (req: { method: string, url: string, headers: Record<string, unknown> }) => ({ method: req.method, url: req.url.split('?')[0] }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode })
    },
    ...(opts.pretty ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' } } } : {})
  }
}

export type LogDestination = DestinationStream
