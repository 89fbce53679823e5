// Draws Robbie's mood avatars (SPEC §3.3) into web/public/robbie-<mood>.png: a round robot face whose colour,
// eyes and mouth show the mood. Plain Node (zlib for the PNG); run `node web/scripts/avatars.mjs` after a change.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { deflateSync } from 'node:zlib'

const SIZE = 96
const SS = 4 // supersampling per axis, for smooth edges

const hex = (h) => [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16))
const dist = (x, y, cx, cy) => Math.hypot(x - cx, y - cy)
/** distance from (x, y) to the segment a–b */
function segment (x, y, ax, ay, bx, by) {
  const dx = bx - ax
  const dy = by - ay
  const t = Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy)))
  return dist(x, y, ax + t * dx, ay + t * dy)
}
/** distance to an arc of the circle (cx, cy, r) between angles a0..a1 (radians, y down) */
function arc (x, y, cx, cy, r, a0, a1) {
  const a = Math.atan2(y - cy, x - cx)
  if (a >= a0 && a <= a1) return Math.abs(dist(x, y, cx, cy) - r)
  const p = (ang) => [cx + r * Math.cos(ang), cy + r * Math.sin(ang)]
  const [x0, y0] = p(a0)
  const [x1, y1] = p(a1)
  return Math.min(dist(x, y, x0, y0), dist(x, y, x1, y1))
}

const INK = hex('#0f1216')
const WHITE = hex('#ffffff')
const eye = (cx) => [
  { color: WHITE, inside: (x, y) => dist(x, y, cx, 40) < 9 },
  { color: INK, inside: (x, y) => dist(x, y, cx, 41) < 4.5 }
]
const bar = (x0, y0, x1, y1, w = 3) => ({ color: INK, inside: (x, y) => segment(x, y, x0, y0, x1, y1) < w })
const smile = (r = 18, w = 3.2) => ({ color: INK, inside: (x, y) => arc(x, y, 48, 50, r, 0.35, Math.PI - 0.35) < w })

const MOODS = {
  friendly: { face: '#6aa8ff', parts: [...eye(35), ...eye(61), smile()] },
  focused: { face: '#3fb950', parts: [bar(27, 40, 43, 40), bar(53, 40, 69, 40), bar(38, 68, 58, 68)] },
  playful: { face: '#f0a020', parts: [...eye(35), bar(53, 41, 69, 38), smile(20, 3.6), { color: hex('#e0475b'), inside: (x, y) => dist(x, y, 52, 74) < 5 && y > 71 }] },
  bossy: { face: '#f0524f', parts: [...eye(35), ...eye(61), bar(26, 27, 43, 32), bar(53, 32, 70, 27), bar(38, 70, 58, 68)] },
  surprised: { face: '#a371f7', parts: [...eye(35), ...eye(61), { color: INK, inside: (x, y) => { const d = dist(x, y, 48, 69); return d < 8 && d > 3.5 } }] },
  blushing: {
    face: '#ff7eb6',
    parts: [
      { color: hex('#ff4f8b'), inside: (x, y) => dist(x, y, 27, 57) < 7 || dist(x, y, 69, 57) < 7 },
      bar(28, 41, 42, 41), bar(54, 41, 68, 41), smile(14, 3)
    ]
  }
}

function pixel (mood, x, y) {
  const { face, parts } = MOODS[mood]
  if (segment(x, y, 48, 6, 48, 14) < 2 || dist(x, y, 48, 5) < 4) return [...hex('#9aa4b2'), 255] // antenna
  if (dist(x, y, 48, 50) > 41) return [0, 0, 0, 0]
  let color = hex(face)
  for (const part of parts) if (part.inside(x, y)) color = part.color
  return [...color, 255]
}

function render (mood) {
  const rows = []
  for (let y = 0; y < SIZE; y++) {
    const row = Buffer.alloc(1 + SIZE * 4) // filter byte 0, then RGBA
    for (let x = 0; x < SIZE; x++) {
      const acc = [0, 0, 0, 0]
      for (let sy = 0; sy < SS; sy++) {
        for (let sx = 0; sx < SS; sx++) {
          const p = pixel(mood, x + (sx + 0.5) / SS, y + (sy + 0.5) / SS)
          for (let i = 0; i < 3; i++) acc[i] += p[i] * p[3]
          acc[3] += p[3]
        }
      }
      const a = acc[3] / (SS * SS)
      const off = 1 + x * 4
      for (let i = 0; i < 3; i++) row[off + i] = acc[3] ? Math.round(acc[i] / acc[3]) : 0
      row[off + 3] = Math.round(a)
    }
    rows.push(row)
  }
  return png(SIZE, SIZE, Buffer.concat(rows))
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  return c >>> 0
})
const crc32 = (buf) => { let c = 0xffffffff; for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8); return (c ^ 0xffffffff) >>> 0 }
function chunk (type, data) {
  const len = Buffer.alloc(4); len.writeUInt32BE(data.length)
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data])
  const crc = Buffer.alloc(4); crc.writeUInt32BE(crc32(body))
  return Buffer.concat([len, body, crc])
}
function png (w, h, raw) {
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(w, 0); ihdr.writeUInt32BE(h, 4)
  ihdr[8] = 8; ihdr[9] = 6 // 8-bit RGBA
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))])
}

const out = join(import.meta.dirname, '..', 'public')
for (const mood of Object.keys(MOODS)) {
  const file = join(out, `robbie-${mood}.png`)
  writeFileSync(file, render(mood))
  console.log(file)
}
