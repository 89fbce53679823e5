// Personal API keys (SPEC §2.3): create with a scope picker and an expiry, shown once with Copy; list with last
// use; revoke; rotate (the old key keeps working for a grace period).
import { useState } from 'preact/hooks'
import { ROLE_SCOPES, type Scope } from '@robbie/contracts/scopes'
import { api, errorMessage, qs } from '../../lib/api.js'
import { daysUntil } from '../../lib/format.js'
import type { Session } from '../../lib/session.js'
import { toast } from '../../lib/toasts.js'
import { useApi } from '../../lib/use-api.js'
import { Confirm, Dialog } from '../../components/dialog.js'
import { Checkbox, SelectField, TextField } from '../../components/fields.js'
import { Badge, Empty, ErrorNote, Loading } from '../../components/feedback.js'
import { Time } from '../../components/time.js'
import { CopyButton } from '../../components/copy-button.js'
import { Pager } from '../../components/pager.js'

interface KeyItem {
  id: string,
  name: string,
  prefix: string,
  scopes: string[],
  createdAt: string,
  expiresAt: string | null,
  lastUsedAt: string | null,
  lastUsedIp: string | null,
  revokedAt: string | null
}
interface CreatedKey { id: string, key: string, name: string, scopes: string[], createdAt: string, expiresAt: string }

const EXPIRY = [7, 30, 90, 180, 365].map((d) => ({ value: String(d), label: `${d} days` }))

function ShownOnce ({ created, onClose }: { created: CreatedKey | null, onClose: () => void }) {
  return (
    <Dialog
      open={created !== null} title='Your new API key' onClose={onClose}
      description='Copy it now: Robbie shows a key only once and stores only a keyed hash of it.'
      actions={<button type='button' class='btn btn-primary' onClick={onClose}>I have copied it</button>}
    >
      {created && (
        <>
          <div class='field'>
            <label for='new-key-value'>Key “{created.name}”</label>
            <input id='new-key-value' class='secret-value' readOnly value={created.key} onFocus={(e) => { e.currentTarget.select() }} />
          </div>
          <div class='row'>
            <CopyButton value={created.key} fieldId='new-key-value' />
            <span class='muted'>Expires <Time iso={created.expiresAt} />. Send it as <code>Authorization: Bearer …</code>.</span>
          </div>
        </>
      )}
    </Dialog>
  )
}

function CreateKey ({ scopes, open, onClose, onCreated }: { scopes: readonly Scope[], open: boolean, onClose: () => void, onCreated: (k: CreatedKey) => void }) {
  const [name, setName] = useState('')
  const [chosen, setChosen] = useState<Set<string>>(new Set(['chat:read', 'priorities:read'].filter((s) => scopes.includes(s as Scope))))
  const [days, setDays] = useState('90')
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)

  const toggle = (scope: string, on: boolean) => {
    const next = new Set(chosen)
    if (on) next.add(scope)
    else next.delete(scope)
    setChosen(next)
  }
  const submit = async (e: Event) => {
    e.preventDefault()
    setBusy(true)
    setError(null)
    try {
      const created = await api<CreatedKey>('POST', '/api/auth/keys', { name: name.trim(), scopes: [...chosen], expiresInDays: Number(days) }, { idempotencyKey: true })
      setName('')
      onCreated(created)
    } catch (err) {
      setError(errorMessage(err))
    } finally {
      setBusy(false)
    }
  }

  return (
    <Dialog
      open={open} title='Create an API key' onClose={onClose} wide actions={
        <>
          <button type='button' class='btn' onClick={onClose}>Cancel</button>
          <button type='submit' form='create-key' class='btn btn-primary' disabled={busy || !name.trim() || chosen.size === 0}>Create key</button>
        </>
    }
    >
      <form id='create-key' onSubmit={(e) => { void submit(e) }}>
        <TextField label='Name' value={name} onValue={setName} required maxLength={80} hint='What uses it, e.g. “CRM sync”.' />
        <fieldset>
          <legend>Scopes</legend>
          <div class='row'>
            <button type='button' class='btn-link' onClick={() => { setChosen(new Set(scopes)) }}>All</button>
            <button type='button' class='btn-link' onClick={() => { setChosen(new Set(scopes.filter((s) => s.endsWith(':read')))) }}>Read only</button>
            <button type='button' class='btn-link' onClick={() => { setChosen(new Set()) }}>None</button>
          </div>
          <div class='checkbox-grid'>
            {scopes.map((s) => <Checkbox key={s} label={<code>{s}</code>} checked={chosen.has(s)} onChange={(on) => { toggle(s, on) }} />)}
          </div>
          <p class='field-hint'>A key never has more than your role allows, now or later.</p>
        </fieldset>
        <SelectField label='Expires after' value={days} onValue={setDays} options={EXPIRY} />
        {error && <p class='field-error' role='alert'>{error}</p>}
      </form>
    </Dialog>
  )
}

function RotateKey ({ item, onClose, onRotated }: { item: KeyItem | null, onClose: () => void, onRotated: (k: CreatedKey) => void }) {
  const [grace, setGrace] = useState('24')
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const rotate = async () => {
    if (!item) return
    setBusy(true)
    setError(null)
    try {
      onRotated(await api<CreatedKey>('POST', `/api/auth/keys/${item.id}/rotate`, { graceHours: Number(grace) }, { idempotencyKey: true }))
    } catch (err) {
      setError(errorMessage(err))
    } finally {
      setBusy(false)
    }
  }
  return (
    <Dialog
      open={item !== null} title={`Rotate “${item?.name ?? ''}”`} onClose={onClose} actions={
        <>
          <button type='button' class='btn' onClick={onClose}>Cancel</button>
          <button type='button' class='btn btn-primary' disabled={busy} onClick={() => { void rotate() }}>Rotate</button>
        </>
    }
    >
      <p>A new key replaces this one. The old key keeps working for the grace period, so you can switch over.</p>
      <SelectField
        label='Grace period' value={grace} onValue={setGrace}
        options={[0, 1, 24, 72, 168].map((h) => ({ value: String(h), label: h === 0 ? 'none: stop the old key now' : `${h} hours` }))}
      />
      {error && <p class='field-error' role='alert'>{error}</p>}
    </Dialog>
  )
}

function expiryBadge (k: KeyItem) {
  if (k.revokedAt) return <Badge kind='neutral'>revoked</Badge>
  if (!k.expiresAt) return <Badge kind='good'>active</Badge>
  const days = daysUntil(k.expiresAt)
  if (days <= 0) return <Badge kind='bad'>expired</Badge>
  if (days <= 14) return <Badge kind='warn'>expires in {days} d</Badge>
  return <Badge kind='good'>active</Badge>
}

export function KeysTab ({ session }: { session: Session }) {
  const [cursor, setCursor] = useState<string | null>(null)
  const list = useApi<{ items: KeyItem[], nextCursor: string | null }>(`/api/auth/keys${qs({ limit: 50, cursor })}`)
  const [creating, setCreating] = useState(false)
  const [created, setCreated] = useState<CreatedKey | null>(null)
  const [revoking, setRevoking] = useState<KeyItem | null>(null)
  const [rotating, setRotating] = useState<KeyItem | null>(null)
  const scopes = ROLE_SCOPES[session.user.role]

  const revoke = async () => {
    if (!revoking) return
    try {
      await api('DELETE', `/api/auth/keys/${revoking.id}`)
      toast(`Key “${revoking.name}” revoked`)
      setRevoking(null)
      await list.reload()
    } catch (err) { toast(errorMessage(err), 'error') }
  }
  const showNew = (k: CreatedKey) => {
    setCreating(false)
    setRotating(null)
    setCreated(k)
    void list.reload()
  }

  return (
    <div class='card'>
      <div class='row'>
        <h2>API keys</h2>
        <span class='spacer' />
        <button type='button' class='btn btn-primary' onClick={() => { setCreating(true) }}>Create key</button>
      </div>
      <p class='muted'>Keys let scripts and other programs call Robbie's API as you, limited to the scopes you choose.</p>
      <ErrorNote error={list.error} onRetry={() => { void list.reload() }} />
      {list.loading && !list.data && <Loading />}
      {list.data && list.data.items.length === 0 && <Empty>No keys yet.</Empty>}
      {list.data && list.data.items.length > 0 && (
        <div class='table-wrap'>
          <table class='table'>
            <caption class='sr-only'>Your API keys</caption>
            <thead>
              <tr>
                <th scope='col'>Name</th><th scope='col'>Key</th><th scope='col'>Scopes</th><th scope='col'>Status</th>
                <th scope='col'>Created</th><th scope='col'>Last used</th><th scope='col'><span class='sr-only'>Actions</span></th>
              </tr>
            </thead>
            <tbody>
              {list.data.items.map((k) => (
                <tr key={k.id}>
                  <td>{k.name}</td>
                  <td><code>{k.prefix}…</code></td>
                  <td><span title={k.scopes.join(', ')}>{k.scopes.length <= 2 ? k.scopes.join(', ') : `${k.scopes.length} scopes`}</span></td>
                  <td>{expiryBadge(k)}</td>
                  <td><Time iso={k.createdAt} /></td>
                  <td>{k.lastUsedAt ? <><Time iso={k.lastUsedAt} />{k.lastUsedIp && <span class='muted'> from {k.lastUsedIp}</span>}</> : <span class='muted'>never</span>}</td>
                  <td class='actions'>
                    {!k.revokedAt && (
                      <>
                        <button type='button' class='btn btn-small' onClick={() => { setRotating(k) }} aria-label={`Rotate ${k.name}`}>Rotate</button>
                        <button type='button' class='btn btn-small btn-danger' onClick={() => { setRevoking(k) }} aria-label={`Revoke ${k.name}`}>Revoke</button>
                      </>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pager cursor={cursor} next={list.data?.nextCursor} onCursor={setCursor} />
      <CreateKey scopes={scopes} open={creating} onClose={() => { setCreating(false) }} onCreated={showNew} />
      <RotateKey item={rotating} onClose={() => { setRotating(null) }} onRotated={showNew} />
      <ShownOnce created={created} onClose={() => { setCreated(null) }} />
      <Confirm
        open={revoking !== null} title={`Revoke “${revoking?.name ?? ''}”?`} confirmLabel='Revoke key' danger
        onClose={() => { setRevoking(null) }} onConfirm={revoke}
      >
        <p>Programs using this key stop working within a second. This cannot be undone.</p>
      </Confirm>
    </div>
  )
}
