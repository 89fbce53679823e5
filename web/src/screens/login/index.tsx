// Sign in (SPEC §2.1). A wrong password and an unknown email get the same answer from the server.
import { useEffect, useRef, useState } from 'preact/hooks'
import { api, ApiError } from '../../lib/api.js'
import { adoptGrant, type Grant } from '../../lib/session.js'
import { TextField } from '../../components/fields.js'
import { Avatar } from '../../components/avatar.js'

const MESSAGES: Record<string, string> = {
  AUTH_INVALID_CREDENTIALS: 'That email and password do not match an account.',
  AUTH_ACCOUNT_LOCKED: 'Too many failed attempts: this account is locked for 15 minutes.',
  AUTH_ACCOUNT_DISABLED: 'This account is disabled. Ask an administrator.',
  AUTH_RATE_LIMITED: 'Too many attempts from here. Wait a minute and try again.'
}

export default function Login () {
  const [email, setEmail] = useState('')
  const [password, setPassword] = useState('')
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const first = useRef<HTMLDivElement>(null)

  useEffect(() => {
    document.title = 'Sign in · Robbie'
    first.current?.querySelector('input')?.focus()
  }, [])

  const submit = async (e: Event) => {
    e.preventDefault()
    setBusy(true)
    setError(null)
    try {
      adoptGrant(await api<Grant>('POST', '/api/auth/login', { email: email.trim(), password }, { auth: false }))
    } catch (err) {
      setError(err instanceof ApiError ? (MESSAGES[err.code] ?? err.message) : 'Robbie cannot be reached.')
      setBusy(false)
    }
  }

  return (
    <main class='auth-page'>
      <div class='auth-card'>
        <div class='brand'><Avatar mood='friendly' reason='Robbie' /><span>Robbie</span></div>
        <h1>Sign in</h1>
        <form onSubmit={(e) => { void submit(e) }} noValidate>
          <div ref={first}>
            <TextField label='Email' type='email' autoComplete='username' value={email} onValue={setEmail} required maxLength={254} />
          </div>
          <TextField label='Password' type='password' autoComplete='current-password' value={password} onValue={setPassword} required maxLength={256} />
          {error && <p class='field-error' role='alert'>{error}</p>}
          <button type='submit' class='btn btn-primary' disabled={busy || !email || !password}>{busy ? 'Signing in…' : 'Sign in'}</button>
        </form>
        <p class='muted'>No account? Ask the owner or an administrator for an invite.</p>
      </div>
    </main>
  )
}
