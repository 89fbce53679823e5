// Secrets (SPEC §5, §10): the seal banner, the table of metadata, add / rotate (value write-only), reveal with a
// reason for 30 s, versions, delete / restore, which entry wins per node, and master-key rotation (owner).
import { useEffect, useState } from 'preact/hooks'
import { api, errorMessage, qs } from '../../lib/api.js'
import { daysUntil } from '../../lib/format.js'
import type { Session } from '../../lib/session.js'
import { toast } from '../../lib/toasts.js'
import { useApi } from '../../lib/use-api.js'
import { Page } from '../../components/page.js'
import { Confirm } from '../../components/dialog.js'
import { Checkbox, SelectField, TextField } from '../../components/fields.js'
import { Badge, Empty, ErrorNote, Loading } from '../../components/feedback.js'
import { Time } from '../../components/time.js'
import { Pager } from '../../components/pager.js'
import { SealBanner } from './seal.js'
import { SecretEditor } from './editor.js'
import { RevealDialog } from './reveal.js'
import { ResolveDialog, VersionsDialog } from './versions.js'
import { entryPath, label, type SealStatus, type SecretItem } from './types.js'

type Open =
  | { kind: 'edit', secret: SecretItem | null }
  | { kind: 'reveal', secret: SecretItem, version?: number }
  | { kind: 'versions' | 'resolve' | 'delete', secret: SecretItem }

function Badges ({ s }: { s: SecretItem }) {
  const out = []
  if (s.deletedAt) out.push(<Badge key='d' kind='neutral'>deleted</Badge>)
  if (s.managed) out.push(<Badge key='m' kind='info' title='Managed by an integration: reconnect or delete only'>🔒 managed</Badge>)
  if (s.visibility === 'owner') out.push(<Badge key='o' kind='info'>owner only</Badge>)
  if (s.expiresAt) {
    const d = daysUntil(s.expiresAt)
    if (d <= 0) out.push(<Badge key='e' kind='bad'>expired</Badge>)
    else if (d <= 14) out.push(<Badge key='e' kind='warn'>expires in {d} d</Badge>)
  }
  if (s.rotationDueAt && daysUntil(s.rotationDueAt) <= 14) out.push(<Badge key='r' kind='warn'>rotation due</Badge>)
  return <>{out}</>
}

export default function Secrets ({ session }: { session: Session }) {
  const isOwner = session.user.role === 'owner'
  const [seal, setSeal] = useState<SealStatus | null>(null)
  const [service, setService] = useState('')
  const [scope, setScope] = useState('')
  const [includeDeleted, setIncludeDeleted] = useState(false)
  const [cursor, setCursor] = useState<string | null>(null)
  const [open, setOpen] = useState<Open | null>(null)
  const sealed = seal?.sealed ?? false
  const list = useApi<{ items: SecretItem[], nextCursor: string | null }>(
    seal && !sealed ? `/api/secrets/entries${qs({ limit: 50, cursor, service: service.trim(), scope, includeDeleted: includeDeleted || undefined })}` : null)

  const loadSeal = async () => {
    try { setSeal(await api<SealStatus>('GET', '/api/secrets/seal-status')) } catch (err) { toast(errorMessage(err), 'error') }
  }
  useEffect(() => { void loadSeal() }, [])
  useEffect(() => { setCursor(null) }, [service, scope, includeDeleted])

  const close = () => { setOpen(null) }
  const remove = async (s: SecretItem) => {
    try {
      await api('DELETE', entryPath(s))
      toast(`${label(s)} deleted; restorable for 30 days`)
      close()
      await list.reload()
    } catch (err) { toast(errorMessage(err), 'error') }
  }
  const restore = async (s: SecretItem) => {
    try {
      await api('POST', entryPath(s, '/restore'), undefined, { idempotencyKey: true })
      toast(`${label(s)} restored`)
      await list.reload()
    } catch (err) { toast(errorMessage(err), 'error') }
  }

  return (
    <Page title='Secrets' actions={!sealed && seal && <button type='button' class='btn btn-primary' onClick={() => { setOpen({ kind: 'edit', secret: null }) }}>Add secret</button>}>
      {seal ? <SealBanner status={seal} isOwner={isOwner} onChange={(s) => { setSeal(s); void list.reload() }} /> : <Loading />}
      {seal && !sealed && (
        <>
          <div class='filters' role='search' aria-label='Filter secrets'>
            <TextField label='Service' value={service} onValue={setService} maxLength={40} type='search' />
            <SelectField
              label='Scope' value={scope} onValue={setScope} options={[
                { value: '', label: 'Any scope' }, { value: 'global', label: 'Global' }, { value: 'company', label: 'Company' }, { value: 'node', label: 'Node' }
              ]}
            />
            <div class='field'><Checkbox label='Show deleted' checked={includeDeleted} onChange={setIncludeDeleted} /></div>
          </div>
          <ErrorNote error={list.error} onRetry={() => { void list.reload() }} />
          {list.loading && !list.data && <Loading />}
          {list.data && list.data.items.length === 0 && <Empty>No secrets{service || scope ? ' match these filters' : ' yet'}.</Empty>}
          {list.data && list.data.items.length > 0 && (
            <div class='table-wrap'>
              <table class='table'>
                <caption class='sr-only'>Secrets (metadata only)</caption>
                <thead>
                  <tr>
                    <th scope='col'>Service</th><th scope='col'>Name</th><th scope='col'>Scope</th><th scope='col'>Version</th>
                    <th scope='col'>Updated</th><th scope='col'>Status</th><th scope='col'><span class='sr-only'>Actions</span></th>
                  </tr>
                </thead>
                <tbody>
                  {list.data.items.map((s) => (
                    <tr key={s.id}>
                      <td>{s.service}</td>
                      <td>{s.name}{s.metadata.description && <div class='muted'>{s.metadata.description}</div>}</td>
                      <td>{s.scope}{s.scopeId && <span class='muted'> · {s.scopeId}</span>}</td>
                      <td>{s.version}</td>
                      <td><Time iso={s.updatedAt} /></td>
                      <td><Badges s={s} /></td>
                      <td class='actions'>
                        {s.deletedAt
                          ? <button type='button' class='btn btn-small' onClick={() => { void restore(s) }} aria-label={`Restore ${label(s)}`}>Restore</button>
                          : (
                            <>
                              {!s.managed && <button type='button' class='btn btn-small' onClick={() => { setOpen({ kind: 'reveal', secret: s }) }} aria-label={`Reveal ${label(s)}`}>Reveal</button>}
                              {!s.managed && <button type='button' class='btn btn-small' onClick={() => { setOpen({ kind: 'edit', secret: s }) }} aria-label={`Rotate ${label(s)}`}>Rotate</button>}
                              <button type='button' class='btn btn-small' onClick={() => { setOpen({ kind: 'versions', secret: s }) }} aria-label={`Versions of ${label(s)}`}>Versions</button>
                              <button type='button' class='btn btn-small' onClick={() => { setOpen({ kind: 'resolve', secret: s }) }} aria-label={`Which ${label(s)} wins`}>Wins?</button>
                              <button type='button' class='btn btn-small btn-danger' onClick={() => { setOpen({ kind: 'delete', secret: s }) }} aria-label={`Delete ${label(s)}`}>Delete</button>
                            </>)}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <Pager cursor={cursor} next={list.data?.nextCursor} onCursor={setCursor} />
        </>
      )}
      {open?.kind === 'edit' && (
        <SecretEditor
          existing={open.secret} isOwner={isOwner} onClose={close}
          onSaved={(s) => { close(); toast(`${label(s)} saved (version ${s.version})`); void list.reload() }}
        />
      )}
      {open?.kind === 'reveal' && <RevealDialog secret={open.secret} version={open.version} onClose={close} />}
      {open?.kind === 'versions' && <VersionsDialog secret={open.secret} onClose={close} onReveal={(v) => { setOpen({ kind: 'reveal', secret: open.secret, version: v }) }} />}
      {open?.kind === 'resolve' && <ResolveDialog secret={open.secret} onClose={close} />}
      <Confirm
        open={open?.kind === 'delete'} title={open?.kind === 'delete' ? `Delete ${label(open.secret)}?` : ''} confirmLabel='Delete' danger
        onClose={close} onConfirm={async () => { if (open?.kind === 'delete') await remove(open.secret) }}
      >
        <p>Callers stop getting this value at once. You can restore it for 30 days; after that every version is destroyed.</p>
      </Confirm>
    </Page>
  )
}
