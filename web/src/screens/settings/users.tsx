// Users and invites (SPEC §2.2): invite (the link is shown once), change roles, disable and enable. The owner
// manages everyone; admins manage members. Pending invites are the users still "invited".
import { useState } from 'preact/hooks'
import { api, errorMessage, qs } from '../../lib/api.js'
import type { Role, Session } from '../../lib/session.js'
import { toast } from '../../lib/toasts.js'
import { useApi } from '../../lib/use-api.js'
import { Confirm, Dialog } from '../../components/dialog.js'
import { SelectField, TextField } from '../../components/fields.js'
import { Badge, ErrorNote, Loading } from '../../components/feedback.js'
import { Time } from '../../components/time.js'
import { CopyButton } from '../../components/copy-button.js'
import { Pager } from '../../components/pager.js'

interface UserItem { id: string, email: string, name: string, role: Role, status: 'active' | 'invited' | 'disabled', lastLoginAt: string | null }

function InviteDialog ({ open, session, email: initial, onClose, onDone }: { open: boolean, session: Session, email?: string, onClose: () => void, onDone: () => void }) {
  const [email, setEmail] = useState(initial ?? '')
  const [role, setRole] = useState<'member' | 'admin'>('member')
  const [link, setLink] = useState<string | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const close = () => { setLink(null); setEmail(''); setError(null); onClose() }

  const submit = async (e: Event) => {
    e.preventDefault()
    setBusy(true)
    setError(null)
    try {
      const r = await api<{ inviteId: string, inviteUrl: string }>('POST', '/api/auth/invites', { email: email.trim(), role }, { idempotencyKey: true })
      setLink(new URL(r.inviteUrl, window.location.origin).href)
      onDone()
    } catch (err) {
      setError(errorMessage(err))
    } finally {
      setBusy(false)
    }
  }

  const actions = link
    ? <button type='button' class='btn btn-primary' onClick={close}>Done</button>
    : (
      <>
        <button type='button' class='btn' onClick={close}>Cancel</button>
        <button type='submit' form='invite-form' class='btn btn-primary' disabled={busy || !email.trim()}>Create invite</button>
      </>
      )
  return (
    <Dialog open={open} title={link ? 'Invite created' : 'Invite someone'} onClose={close} actions={actions}>
      {link
        ? (
          <>
            <p>Send this link to {email}. It works once, for 72 hours, and is not shown again.</p>
            <div class='field'>
              <label for='invite-link'>Invite link</label>
              <input id='invite-link' class='secret-value' readOnly value={link} onFocus={(e) => { e.currentTarget.select() }} />
            </div>
            <CopyButton value={link} fieldId='invite-link' />
          </>)
        : (
          <form id='invite-form' onSubmit={(e) => { void submit(e) }}>
            <TextField label='Email' type='email' value={email} onValue={setEmail} required maxLength={254} />
            <SelectField
              label='Role' value={role} onValue={(v) => { setRole(v as 'member' | 'admin') }}
              options={[{ value: 'member', label: 'Member' }, ...(session.user.role === 'owner' ? [{ value: 'admin', label: 'Admin' }] : [])]}
              hint='Members chat and manage tasks and notes; admins also manage users, keys, secrets and GPU nodes.'
            />
            {error && <p class='field-error' role='alert'>{error}</p>}
          </form>)}
    </Dialog>
  )
}

const STATUS_KIND = { active: 'good', invited: 'info', disabled: 'neutral' } as const

export function UsersTab ({ session }: { session: Session }) {
  const [cursor, setCursor] = useState<string | null>(null)
  const list = useApi<{ items: UserItem[], nextCursor: string | null }>(`/api/auth/users${qs({ limit: 100, cursor })}`)
  const [inviting, setInviting] = useState<{ email?: string } | null>(null)
  const [disabling, setDisabling] = useState<UserItem | null>(null)
  const me = session.user

  const canManage = (u: UserItem) => u.id !== me.id && u.role !== 'owner' && (me.role === 'owner' || u.role === 'member')
  const patch = async (u: UserItem, body: Partial<Pick<UserItem, 'role' | 'status'>>, done: string) => {
    try {
      await api('PATCH', `/api/auth/users/${u.id}`, body)
      toast(done)
      await list.reload()
    } catch (err) { toast(errorMessage(err), 'error') }
  }

  const users = list.data?.items ?? []
  const invited = users.filter((u) => u.status === 'invited')
  const people = users.filter((u) => u.status !== 'invited')

  return (
    <>
      <div class='card'>
        <div class='row'>
          <h2>Users</h2>
          <span class='spacer' />
          <button type='button' class='btn btn-primary' onClick={() => { setInviting({}) }}>Invite</button>
        </div>
        <ErrorNote error={list.error} onRetry={() => { void list.reload() }} />
        {list.loading && !list.data && <Loading />}
        {list.data && (
          <div class='table-wrap'>
            <table class='table'>
              <caption class='sr-only'>Users</caption>
              <thead><tr><th scope='col'>Name</th><th scope='col'>Email</th><th scope='col'>Role</th><th scope='col'>Status</th><th scope='col'>Last sign-in</th><th scope='col'><span class='sr-only'>Actions</span></th></tr></thead>
              <tbody>
                {people.map((u) => (
                  <tr key={u.id}>
                    <td>{u.name || '—'}{u.id === me.id && <span class='muted'> (you)</span>}</td>
                    <td class='break'>{u.email}</td>
                    <td>
                      {canManage(u) && me.role === 'owner'
                        ? (
                          <select
                            aria-label={`Role of ${u.email}`} value={u.role}
                            onChange={(e) => { void patch(u, { role: e.currentTarget.value as Role }, `${u.email} is now ${e.currentTarget.value}`) }}
                          >
                            <option value='member'>member</option>
                            <option value='admin'>admin</option>
                          </select>)
                        : u.role}
                    </td>
                    <td><Badge kind={STATUS_KIND[u.status]}>{u.status}</Badge></td>
                    <td><Time iso={u.lastLoginAt} /></td>
                    <td class='actions'>
                      {canManage(u) && (u.status === 'disabled'
                        ? <button type='button' class='btn btn-small' onClick={() => { void patch(u, { status: 'active' }, `${u.email} enabled`) }}>Enable</button>
                        : <button type='button' class='btn btn-small btn-danger' onClick={() => { setDisabling(u) }}>Disable</button>)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <Pager cursor={cursor} next={list.data?.nextCursor} onCursor={setCursor} />
      </div>
      <div class='card'>
        <h2>Pending invites</h2>
        {invited.length === 0
          ? <p class='muted'>No pending invites.</p>
          : (
            <div class='table-wrap'>
              <table class='table'>
                <caption class='sr-only'>Pending invites</caption>
                <thead><tr><th scope='col'>Email</th><th scope='col'>Role</th><th scope='col'><span class='sr-only'>Actions</span></th></tr></thead>
                <tbody>
                  {invited.map((u) => (
                    <tr key={u.id}>
                      <td class='break'>{u.email}</td>
                      <td>{u.role}</td>
                      <td class='actions'>
                        {canManage(u) && <button type='button' class='btn btn-small' onClick={() => { setInviting({ email: u.email }) }}>New link</button>}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>)}
      </div>
      {inviting && <InviteDialog open session={session} email={inviting.email} onClose={() => { setInviting(null) }} onDone={() => { void list.reload() }} />}
      <Confirm
        open={disabling !== null} title={`Disable ${disabling?.email ?? ''}?`} confirmLabel='Disable' danger
        onClose={() => { setDisabling(null) }}
        onConfirm={async () => { if (disabling) await patch(disabling, { status: 'disabled' }, `${disabling.email} disabled`); setDisabling(null) }}
      >
        <p>Their sessions and API keys stop working within a second. You can enable the account again later.</p>
      </Confirm>
    </>
  )
}
