// The conversation list (SPEC §10 Chat): search across messages, new, pinned first, active or archived.
import { useEffect, useState } from 'preact/hooks'
import { api, qs } from '../../lib/api.js'
import { useApi } from '../../lib/use-api.js'
import { navigate } from '../../lib/router.js'
import { toast } from '../../lib/toasts.js'
import { ErrorNote, Loading } from '../../components/feedback.js'
import { Time } from '../../components/time.js'
import type { Conversation, Page, SearchHit } from './types.js'

/** ts_headline marks matches with <b>…</b>: show those as <mark>, everything else as plain text. */
function Snippet ({ text }: { text: string }) {
  const parts = text.split(/<\/?b>/)
  return <>{parts.map((p, i) => (i % 2 === 1 ? <mark key={i}>{p}</mark> : p))}</>
}

function SearchResults ({ q }: { q: string }) {
  const [hits, setHits] = useState<SearchHit[] | null>(null)
  const [error, setError] = useState<unknown>(null)
  useEffect(() => {
    let live = true
    setHits(null)
    const timer = setTimeout(() => {
      api<Page<SearchHit>>('GET', `/api/chat/search${qs({ q, limit: 30 })}`)
        .then((page) => { if (live) { setHits(page.items); setError(null) } }, (err: unknown) => { if (live) setError(err) })
    }, 250)
    return () => { live = false; clearTimeout(timer) }
  }, [q])
  if (error) return <ErrorNote error={error} />
  if (!hits) return <Loading label='Searching…' />
  if (hits.length === 0) return <p class='muted'>No message matches “{q}”.</p>
  return (
    <ul class='conv-list' aria-label='Search results'>
      {hits.map((h) => (
        <li key={h.messageId}>
          <a class='conv-link' href={`/chat/${h.conversationId}?m=${h.messageId}`}>
            <span class='conv-snippet'><Snippet text={h.snippet} /></span>
            <span class='muted conv-meta'>{h.role === 'user' ? 'You' : 'Robbie'} · <Time iso={h.at} /></span>
          </a>
        </li>
      ))}
    </ul>
  )
}

export function Conversations ({ currentId, onNew, refreshKey }: { currentId: string | null, onNew: () => void, refreshKey: number }) {
  const [status, setStatus] = useState<'active' | 'archived'>('active')
  const [q, setQ] = useState('')
  const list = useApi<Page<Conversation>>(`/api/chat/conversations${qs({ status, limit: 100 })}`)
  useEffect(() => { if (refreshKey > 0) void list.reload() }, [refreshKey])

  const patch = async (c: Conversation, body: Partial<Pick<Conversation, 'pinned' | 'status'>>) => {
    try {
      await api('PATCH', `/api/chat/conversations/${c.id}`, body)
      await list.reload()
      if (body.status === 'archived' && c.id === currentId) navigate('/chat')
      if (body.status) toast(body.status === 'archived' ? 'Conversation archived' : 'Conversation restored')
    } catch (err) {
      toast((err as Error).message, 'error')
    }
  }

  const items = [...(list.data?.items ?? [])].sort((a, b) => Number(b.pinned) - Number(a.pinned))
  const searching = q.trim().length >= 2
  return (
    <aside class='conversations' aria-label='Conversations'>
      <div class='row conv-tools'>
        <button type='button' class='btn btn-primary btn-small' onClick={onNew}>New conversation</button>
      </div>
      <div class='field conv-search'>
        <label for='conv-search'>Search messages</label>
        <input
          id='conv-search' type='search' value={q} maxLength={200} placeholder='At least 2 characters'
          onInput={(e) => { setQ(e.currentTarget.value) }}
        />
      </div>
      {searching
        ? <SearchResults q={q.trim()} />
        : (
          <>
            <div class='row conv-filter' role='group' aria-label='Show'>
              <button type='button' class='btn btn-small' aria-pressed={status === 'active'} onClick={() => { setStatus('active') }}>Active</button>
              <button type='button' class='btn btn-small' aria-pressed={status === 'archived'} onClick={() => { setStatus('archived') }}>Archived</button>
            </div>
            <ErrorNote error={list.error} onRetry={() => { void list.reload() }} />
            {list.loading && !list.data && <Loading />}
            {list.data && items.length === 0 && <p class='muted'>{status === 'active' ? 'No conversations yet.' : 'Nothing archived.'}</p>}
            <ul class='conv-list'>
              {items.map((c) => (
                <li key={c.id} class={c.id === currentId ? 'conv-current' : undefined}>
                  <a class='conv-link' href={`/chat/${c.id}`} aria-current={c.id === currentId ? 'page' : undefined}>
                    <span class='conv-title'>{c.pinned && <span aria-label='Pinned' role='img'>📌 </span>}{c.title || 'New conversation'}</span>
                    <span class='muted conv-meta'><Time iso={c.lastMessageAt ?? c.updatedAt} /></span>
                  </a>
                  <span class='conv-actions'>
                    <button
                      type='button' class='btn btn-ghost btn-small' aria-label={`${c.pinned ? 'Unpin' : 'Pin'} ${c.title || 'conversation'}`}
                      onClick={() => { void patch(c, { pinned: !c.pinned }) }}
                    >{c.pinned ? 'Unpin' : 'Pin'}
                    </button>
                    <button
                      type='button' class='btn btn-ghost btn-small' aria-label={`${c.status === 'active' ? 'Archive' : 'Restore'} ${c.title || 'conversation'}`}
                      onClick={() => { void patch(c, { status: c.status === 'active' ? 'archived' : 'active' }) }}
                    >{c.status === 'active' ? 'Archive' : 'Restore'}
                    </button>
                  </span>
                </li>
              ))}
            </ul>
          </>
          )}
    </aside>
  )
}
