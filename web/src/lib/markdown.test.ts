import { describe, expect, it } from 'vitest'
import type { ComponentChild, VNode } from 'preact'
import { renderInline, renderMarkdown, safeHref } from './markdown.js'

// A tiny serializer of the element tree: text is escaped here the way the DOM escapes a text node, so a string
// that survives as "&lt;script&gt;" proves it was a text node and not markup.
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
function html (node: ComponentChild | ComponentChild[]): string {
  if (Array.isArray(node)) return node.map(html).join('')
  if (node === null || node === undefined || typeof node === 'boolean') return ''
  if (typeof node === 'string' || typeof node === 'number' || typeof node === 'bigint') return esc(String(node))
  const v = node as VNode<Record<string, unknown>>
  const { children, ...attrs } = v.props
  if ('dangerouslySetInnerHTML' in attrs) throw new Error('raw HTML')
  const a = Object.entries(attrs).map(([k, val]) => ` ${k}="${esc(String(val))}"`).join('')
  return `<${String(v.type)}${a}>${html(children as ComponentChild)}</${String(v.type)}>`
}
const md = (s: string) => html(renderMarkdown(s))

describe('renderMarkdown', () => {
  it('renders bold, italics and inline code', () => {
    expect(md('a **b** *c* _d_ `e*f*`')).toBe('<p>a <strong>b</strong> <em>c</em> <em>d</em> <code>e*f*</code></p>')
  })

  it('keeps HTML in the text as text', () => {
    expect(md('<script>alert(1)</script> <img src=x onerror=alert(1)>')).toBe(
      '<p>&lt;script&gt;alert(1)&lt;/script&gt; &lt;img src=x onerror=alert(1)&gt;</p>')
    expect(md('**<b>x</b>**')).toBe('<p><strong>&lt;b&gt;x&lt;/b&gt;</strong></p>')
  })

  it('links only http(s) and mailto, with rel noopener noreferrer', () => {
    expect(md('[docs](https://example.com/a?b=1)')).toBe(
      '<p><a href="https://example.com/a?b=1" rel="noopener noreferrer" target="_blank">docs</a></p>')
    expect(md('[x](javascript:alert(1))')).toBe('<p>[x](javascript:alert(1))</p>')
    expect(md('[x](data:text/html,hi)')).toBe('<p>[x](data:text/html,hi)</p>')
    expect(md('see https://example.com/x.')).toBe(
      '<p>see <a href="https://example.com/x" rel="noopener noreferrer" target="_blank">https://example.com/x</a>.</p>')
  })

  it('renders bullet and numbered lists', () => {
    expect(md('- one\n- **two**\n\n1. a\n2. b')).toBe(
      '<ul><li>one</li><li><strong>two</strong></li></ul><ol><li>a</li><li>b</li></ol>')
  })

  it('renders fenced code verbatim, also while unclosed', () => {
    expect(md('```\n<b>**x**</b>\n```\nafter')).toBe('<pre><code>&lt;b&gt;**x**&lt;/b&gt;</code></pre><p>after</p>')
    expect(md('```ts\nconst a = 1')).toBe('<pre><code>const a = 1</code></pre>')
  })

  it('joins paragraph lines with a line break and separates paragraphs', () => {
    expect(md('a\nb\n\nc')).toBe('<p>a<br></br>b</p><p>c</p>')
  })

  it('leaves snake_case names, lone stars and arithmetic alone', () => {
    expect(md('use snake_case_name and 2 * 3 * 4')).toBe('<p>use snake_case_name and 2 * 3 * 4</p>')
  })

  it('stays linear on a long line of stray markers', () => {
    const line = '[x](y '.repeat(5000)
    expect(renderInline(line).join('')).toBe(line)
  })
})

describe('safeHref', () => {
  it('accepts http, https and mailto only', () => {
    expect(safeHref('https://a.b/c')).toBe('https://a.b/c')
    expect(safeHref('mailto:x@y.z')).toBe('mailto:x@y.z')
    expect(safeHref(' JavaScript:alert(1)')).toBeNull()
    expect(safeHref('//evil.example')).toBeNull()
    expect(safeHref('https://a.b/"onmouseover=x')).toBeNull()
  })
})
