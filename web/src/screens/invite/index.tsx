// Accepting an invite (SPEC §2.2): the link is /invite#<token>; the token stays in the fragment, which the
// browser never sends to a server.
import { useState } from 'preact/hooks'
import { api, ApiError } from '../../lib/api.js'
import { navigate } from '../../lib/router.js'
import { adoptGrant, type Grant } from '../../lib/session.js'
import { TextField } from '../../components/fields.js'

export default function Invite () {
  const [token] = useState(() => window.location.hash.slice(1))
  const [name, setName] = useState('')
  const [password, setPassword] = useState('')
  const [confirm, setConfirm] = useState('')
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const mismatch = confirm.length > 0 && confirm !== password

  const submit = async (e: Event) => {
    e.preventDefault()
    setBusy(true)
    setError(null)
    try {
      const grant = await api<Grant>('POST', '/api/auth/invites/accept', { token, name: name.trim(), password }, { auth: false })
      window.history.replaceState(null, '', '/chat') // drop the token from the address bar and history
      adoptGrant(grant)
      navigate('/chat', { replace: true })
    } catch (err) {
      setError(err instanceof ApiError && err.code === 'AUTH_INVITE_EXPIRED'
        ? 'This invite has expired. Ask for a new one.'
        : err instanceof ApiError ? err.message : 'Robbie cannot be reached.')
      setBusy(false)
    }
  }

  return (
    <main class='auth-page'>
      <div class='auth-card'>
        <h1>Join Robbie</h1>
        {!token
          ? <p role='alert'>This invite link is incomplete. Open the full link you were sent.</p>
          : (
            <form onSubmit={(e) => { void submit(e) }}>
              <TextField label='Your name' value={name} onValue={setName} required maxLength={200} autoComplete='name' />
              <TextField
                label='Password' type='password' value={password} onValue={setPassword} required minLength={12} maxLength={256}
                autoComplete='new-password' hint='At least 12 characters.'
              />
              <TextField
                label='Repeat password' type='password' value={confirm} onValue={setConfirm} required autoComplete='new-password'
                error={mismatch ? 'The passwords differ.' : null}
              />
              {error && <p class='field-error' role='alert'>{error}</p>}
              <button type='submit' class='btn btn-primary' disabled={busy || !name.trim() || password.length < 12 || confirm !== password}>
                {busy ? 'Joining…' : 'Join'}
              </button>
            </form>)}
      </div>
    </main>
  )
}
