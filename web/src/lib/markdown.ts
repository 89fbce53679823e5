// The safe Markdown subset of SPEC §10 for message and note text: paragraphs, bold, italics, inline code, fenced
// code, bullet and numbered lists, and links. It builds Preact elements from plain strings, so message text is
// only ever a text node (escaped by the DOM) and never HTML: a model or another user can't inject markup.
import { h, type ComponentChild, type VNode } from 'preact'

const SAFE_URL = /^(https?:\/\/|mailto:)/i

/** A URL that may become a link: http(s) or mailto only, so `javascript:` and `data:` stay text. */
export function safeHref (url: string): string | null {
  const trimmed = url.trim()
  return SAFE_URL.test(trimmed) && !/[\s<>"]/.test(trimmed) ? trimmed : null
}

function link (href: string, children: ComponentChild[]): ComponentChild {
  return h('a', { href, rel: 'noopener noreferrer', target: '_blank' }, ...children)
}

// Inline tokens, tried left to right at each position; the earliest match wins.
// Bounded repeats keep a long line with stray markers linear rather than quadratic.
const INLINE = /(`[^`\n]{1,1000}`)|(\*\*[^*\n]{1,1000}?\*\*|(?<!\w)__[^_\n]{1,1000}?__(?!\w))|(\*[^*\s][^*\n]{0,1000}?\*|(?<!\w)_[^_\s][^_\n]{0,1000}?_(?!\w))|(\[[^\]\n]{1,500}\]\([^)\s]{1,2000}\))|(https?:\/\/[^\s<>()]{1,2000})/

/** Inline Markdown of one line (or a joined paragraph) → children. */
export function renderInline (text: string): ComponentChild[] {
  const out: ComponentChild[] = []
  let rest = text
  while (rest.length > 0) {
    const m = INLINE.exec(rest)
    if (!m) { out.push(rest); break }
    if (m.index > 0) out.push(rest.slice(0, m.index))
    const [token, code, bold, italic, mdLink, bare] = m
    if (code) out.push(h('code', null, code.slice(1, -1)))
    else if (bold) out.push(h('strong', null, ...renderInline(bold.slice(2, -2))))
    else if (italic) out.push(h('em', null, ...renderInline(italic.slice(1, -1))))
    else if (mdLink) {
      const split = mdLink.indexOf('](')
      const label = mdLink.slice(1, split)
      const href = safeHref(mdLink.slice(split + 2, -1))
      out.push(href ? link(href, renderInline(label)) : mdLink)
    } else if (bare) {
      // a sentence's closing punctuation is not part of the URL
      const url = bare.replace(/[.,;:!?]+$/, '')
      out.push(link(url, [url]))
      if (url.length < bare.length) out.push(bare.slice(url.length))
    }
    rest = rest.slice(m.index + token.length)
  }
  return out
}

const BULLET = /^\s*[-*+]\s+(.*)$/
const NUMBERED = /^\s*\d{1,9}[.)]\s+(.*)$/
const FENCE = /^\s*```/

/** Markdown text → a list of block elements (p, ul, ol, pre). */
export function renderMarkdown (text: string): VNode[] {
  const lines = text.replace(/\r\n?/g, '\n').split('\n')
  const blocks: VNode[] = []
  let i = 0
  while (i < lines.length) {
    const line = lines[i]!
    if (FENCE.test(line)) {
      const body: string[] = []
      i++
      // an unclosed fence (a reply still streaming) runs to the end
      while (i < lines.length && !FENCE.test(lines[i]!)) body.push(lines[i++]!)
      i++
      blocks.push(h('pre', null, h('code', null, body.join('\n'))))
    } else if (BULLET.test(line) || NUMBERED.test(line)) {
      const ordered = !BULLET.test(line)
      const pattern = ordered ? NUMBERED : BULLET
      const items: VNode[] = []
      while (i < lines.length && pattern.test(lines[i]!)) {
        items.push(h('li', null, ...renderInline(pattern.exec(lines[i]!)![1]!)))
        i++
      }
      blocks.push(h(ordered ? 'ol' : 'ul', null, ...items))
    } else if (line.trim() === '') {
      i++
    } else {
      const para: ComponentChild[] = []
      while (i < lines.length && lines[i]!.trim() !== '' && !FENCE.test(lines[i]!) && !BULLET.test(lines[i]!) && !NUMBERED.test(lines[i]!)) {
        if (para.length > 0) para.push(h('br', null))
        para.push(...renderInline(lines[i]!))
        i++
      }
      blocks.push(h('p', null, ...para))
    }
  }
  return blocks
}
