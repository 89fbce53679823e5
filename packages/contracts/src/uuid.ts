// UUIDv7 (RFC 9562): Postgres 15 has no uuidv7(), so services make ids themselves.
// Millisecond time first, so ids sort by creation and index inserts stay local.
import { randomBytes } from 'node:crypto'

let lastMs = 0
let seq = 0

export function uuidv7 (now = Date.now()): string {
  const bytes = randomBytes(16)
  // Within one millisecond, a 12-bit counter in rand_a keeps ids from one process monotonic.
  if (now <= lastMs) { seq = (seq + 1) & 0xfff; now = lastMs } else { seq = bytes.readUInt16BE(6) & 0x7ff; lastMs = now }
  bytes.writeUIntBE(now, 0, 6)
  bytes[6] = 0x70 | (seq >> 8)
  bytes[7] = seq & 0xff
  bytes[8] = (bytes[8]! & 0x3f) | 0x80
  const hex = bytes.toString('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}
