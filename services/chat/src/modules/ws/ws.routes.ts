// GET /ws (SPEC §3.1): the upgrade is public (the socket authenticates in band with `hello`), but only for the
// subprotocol robbie.chat.v1 (else 400 CHAT_PROTOCOL_UNSUPPORTED) and, from a browser, an allowed Origin (else
// 403). Clients that send no Origin (programs with an API key) are not browsers, and the check is for browsers.
import { STATUS_CODES } from 'node:http'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import websocket from '@fastify/websocket'
import { createError, errorBody, type RobbieError } from '@robbie/service-kit'
import { handleConnection, type ConnectionDeps } from './connection.js'

const PROTOCOL = 'robbie.chat.v1'
/** SPEC §0.1: a WebSocket frame is at most 256 KiB (larger → close 1009). */
const MAX_FRAME_BYTES = 256 * 1024

const ProtocolUnsupported = createError('CHAT_PROTOCOL_UNSUPPORTED', 'Open /ws as a WebSocket offering the subprotocol robbie.chat.v1', 400)
const OriginRefused = createError('CHAT_FORBIDDEN', 'This origin may not open the chat socket', 403)

/**
 * Refuses an upgrade with a coded HTTP answer written straight to the socket, then closed. (Answered the
 * usual way, the websocket plugin destroys the socket in onResponse, which can drop the answer unsent.)
 */
function refuse (request: FastifyRequest, reply: FastifyReply, err: RobbieError): FastifyReply {
  const body = JSON.stringify(errorBody(err, request.id))
  reply.hijack()
  request.raw.socket.end(`HTTP/1.1 ${err.statusCode} ${STATUS_CODES[err.statusCode] ?? ''}\r\ncontent-type: application/json; charset=utf-8\r\n` +
    `content-length: ${Buffer.byteLength(body)}\r\nx-request-id: ${request.id}\r\nconnection: close\r\n\r\n${body}`)
  return reply
}

const offered = (request: FastifyRequest) => String(request.headers['sec-websocket-protocol'] ?? '').split(',').map((s) => s.trim())

export async function wsRoutes (app: FastifyInstance, opts: { origins: string[], connection: ConnectionDeps }): Promise<void> {
  await app.register(websocket, {
    options: {
      maxPayload: MAX_FRAME_BYTES,
      handleProtocols: (protocols) => (protocols.has(PROTOCOL) ? PROTOCOL : false)
    }
  })
  const origins = new Set(opts.origins)

  app.get('/ws', {
    websocket: true,
    // SPEC §0.1 public list: the upgrade only; identity comes with the first frame
    config: { public: true },
    onRequest: async (request, reply) => {
      if (!request.ws) throw new ProtocolUnsupported() // a plain GET: answered the usual way
      if (!offered(request).includes(PROTOCOL)) return refuse(request, reply, new ProtocolUnsupported())
      const origin = request.headers.origin
      if (origin !== undefined && !origins.has(origin.replace(/\/$/, ''))) return refuse(request, reply, new OriginRefused())
    }
  }, (socket) => { handleConnection(socket, opts.connection) })
}
