// Your own profile (PATCH /api/auth/me) and your signed-in sessions (GET/DELETE /api/auth/sessions).
import { useEffect, useState } from 'preact/hooks'
import { api, errorMessage } from '../../lib/api.js'
import { logout, updateUser, type Session } from '../../lib/session.js'
import { toast } from '../../lib/toasts.js'
import { useApi } from '../../lib/use-api.js'
import { TextField } from '../../components/fields.js'
import { TimeZoneField } from '../../components/timezone.js'
import { ErrorNote, Loading } from '../../components/feedback.js'
import { Time } from '../../components/time.js'
import { Confirm } from '../../components/dialog.js'

interface Profile { id: string, email: string, name: string, role: string, timeZone: string }
interface SessionRow { id: string, createdAt: string, lastUsedAt: string, ip: string | null, userAgent: string | null, current: boolean }

function ProfileForm ({ profile }: { profile: Profile }) {
  const [name, setName] = useState(profile.name)
  const [timeZone, setTimeZone] = useState(profile.timeZone)
  const [current, setCurrent] = useState('')
  const [next, setNext] = useState('')
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)

  const submit = async (e: Event) => {
    e.preventDefault()
    setBusy(true)
    setError(null)
    try {
      const me = await api<Profile>('PATCH', '/api/auth/me', { name: name.trim(), timeZone, ...(next ? { password: { current, next } } : {}) })
      updateUser({ name: me.name })
      setCurrent('')
      setNext('')
      toast(next ? 'Profile and password saved' : 'Profile saved')
    } catch (err) {
      setError(errorMessage(err))
    } finally {
      setBusy(false)
    }
  }

  return (
    <form class='card form-narrow' onSubmit={(e) => { void submit(e) }}>
      <h2>Profile</h2>
      <p class='muted'>{profile.email} · {profile.role}</p>
      <TextField label='Name' value={name} onValue={setName} required maxLength={200} autoComplete='name' />
      <TimeZoneField value={timeZone} onValue={setTimeZone} />
      <fieldset>
        <legend>Change password</legend>
        <TextField label='Current password' type='password' value={current} onValue={setCurrent} autoComplete='current-password' maxLength={256} />
        <TextField
          label='New password' type='password' value={next} onValue={setNext} autoComplete='new-password' maxLength={256}
          hint='At least 12 characters. Changing it signs out your other sessions.' error={next && next.length < 12 ? 'Too short.' : null}
        />
      </fieldset>
      {error && <p class='field-error' role='alert'>{error}</p>}
      <button type='submit' class='btn btn-primary' disabled={busy || !name.trim() || (next.length > 0 && (next.length < 12 || !current))}>Save</button>
    </form>
  )
}

function Sessions () {
  const list = useApi<{ items: SessionRow[] }>('/api/auth/sessions')
  const [confirmAll, setConfirmAll] = useState(false)
  const end = async (id: string) => {
    try {
      await api('DELETE', `/api/auth/sessions/${id}`)
      toast('Session ended')
      await list.reload()
    } catch (err) { toast(errorMessage(err), 'error') }
  }
  const endAll = async () => {
    try {
      await api('POST', '/api/auth/logout-all')
    } finally {
      await logout()
    }
  }
  return (
    <div class='card'>
      <h2>Sessions</h2>
      <ErrorNote error={list.error} onRetry={() => { void list.reload() }} />
      {list.loading && !list.data && <Loading />}
      {list.data && (
        <div class='table-wrap'>
          <table class='table'>
            <thead><tr><th scope='col'>Device</th><th scope='col'>Address</th><th scope='col'>Started</th><th scope='col'>Last used</th><th scope='col'><span class='sr-only'>Actions</span></th></tr></thead>
            <tbody>
              {list.data.items.map((s) => (
                <tr key={s.id}>
                  <td class='break'>{s.userAgent ?? 'unknown'}{s.current && <> <span class='badge badge-info'>this one</span></>}</td>
                  <td>{s.ip ?? '—'}</td>
                  <td><Time iso={s.createdAt} /></td>
                  <td><Time iso={s.lastUsedAt} /></td>
                  <td class='actions'>{!s.current && <button type='button' class='btn btn-small' onClick={() => { void end(s.id) }}>End</button>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <button type='button' class='btn' onClick={() => { setConfirmAll(true) }}>Sign out everywhere</button>
      <Confirm
        open={confirmAll} title='Sign out everywhere?' confirmLabel='Sign out everywhere' danger onClose={() => { setConfirmAll(false) }}
        onConfirm={endAll}
      >
        <p>Every session of yours ends, this one included.</p>
      </Confirm>
    </div>
  )
}

export function ProfileTab ({ session }: { session: Session }) {
  const [profile, setProfile] = useState<Profile | null>(null)
  const [error, setError] = useState<unknown>(null)
  useEffect(() => { api<Profile>('GET', '/api/auth/me').then(setProfile, setError) }, [session.user.id])
  return (
    <>
      <ErrorNote error={error} />
      {profile ? <ProfileForm profile={profile} /> : !error && <Loading />}
      <Sessions />
    </>
  )
}
