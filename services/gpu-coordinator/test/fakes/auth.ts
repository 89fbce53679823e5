// A stand-in for auth's two node-key routes (SPEC §2.3), on 127.0.0.1:0: it mints a well-formed key per node
// name, records every call with its bearer, and can be told to fail. Auth's own tests cover the real routes.
import { createServer } from 'node:http'
import { once } from 'node:events'
import { generateApiKey } from '@robbie/contracts'

export interface AuthCall { method: string, path: string, authorization: string | undefined, body: unknown }

export async function startFakeAuth () {
  const calls: AuthCall[] = []
  let failing = false
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8')
      calls.push({ method: req.method ?? '', path: req.url ?? '', authorization: req.headers.authorization, body: raw ? JSON.parse(raw) : undefined })
      if (failing) { res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":{"code":"AUTH_INTERNAL"}}'); return }
      if (req.method === 'POST' && req.url === '/internal/auth/node-keys') {
        const { id, key } = generateApiKey('svc')
        res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ keyId: id, key }))
        return
      }
      if (req.method === 'DELETE' && req.url?.startsWith('/internal/auth/node-keys/')) { res.writeHead(204).end(); return }
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"code":"AUTH_NOT_FOUND"}}')
    })
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    calls,
    fail (on: boolean) { failing = on },
    async close () { server.closeAllConnections(); await new Promise((resolve) => server.close(resolve)) }
  }
}
