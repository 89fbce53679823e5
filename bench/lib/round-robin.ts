// The baseline of bench/gpu.ts: the plainest load balancer there is, a proxy that sends call i to node i mod n,
// whatever the node's speed or load, streaming the answer back unchanged.
import { Agent, createServer, request } from 'node:http'
import { once } from 'node:events'

export async function startRoundRobin (nodes: string[]) {
  const agent = new Agent({ keepAlive: true, maxSockets: 1024 })
  let next = 0
  const server = createServer((req, res) => {
    const target = new URL(req.url ?? '/', nodes[next++ % nodes.length])
    const upstream = request(target, { method: req.method, headers: req.headers, agent }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers)
      answer.pipe(res)
    })
    upstream.on('error', () => { res.destroy() })
    res.on('close', () => { if (!res.writableFinished) upstream.destroy() })
    req.pipe(upstream)
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as { port: number }
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => { agent.destroy(); server.closeAllConnections(); server.close(); await once(server, 'close') }
  }
}
