// Step 1: create the owner with the console's setup code, or, when `npm start` created the owner, confirm or
// change their name, time zone and password; then the company's name and time zone.
import { useEffect, useState } from 'preact/hooks'
import { api, ApiError, errorMessage } from '../../lib/api.js'
import { adoptGrant, updateUser, type Grant } from '../../lib/session.js'
import { TextField } from '../../components/fields.js'
import { browserTimeZone, TimeZoneField } from '../../components/timezone.js'
import { Loading } from '../../components/feedback.js'
import type { StepProps } from './index.js'

interface Profile { name: string, email: string, timeZone: string }
interface Company { name: string, timeZone: string }

const SETUP_ERRORS: Record<string, string> = {
  AUTH_BAD_SETUP_CODE: 'That setup code is not right. Copy it from the console where Robbie started (or from .run/setup-code).',
  AUTH_ALREADY_SET_UP: 'Robbie already has an owner. Reload the page to sign in.'
}

function CreateOwner ({ onNext }: { onNext: () => void }) {
  const [f, setF] = useState({ setupCode: '', name: '', email: '', password: '', confirm: '', companyName: '', timeZone: browserTimeZone() })
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const set = (k: keyof typeof f) => (v: string) => { setF({ ...f, [k]: v }) }
  const mismatch = f.confirm.length > 0 && f.confirm !== f.password
  const ready = f.setupCode.trim() && f.name.trim() && f.email.trim() && f.password.length >= 12 && f.confirm === f.password && f.companyName.trim()

  const submit = async (e: Event) => {
    e.preventDefault()
    setBusy(true)
    setError(null)
    try {
      const grant = await api<Grant>('POST', '/api/auth/setup', {
        setupCode: f.setupCode.trim(), email: f.email.trim(), name: f.name.trim(), password: f.password, companyName: f.companyName.trim(), timeZone: f.timeZone
      }, { auth: false })
      adoptGrant(grant)
      onNext()
    } catch (err) {
      setError(err instanceof ApiError ? (SETUP_ERRORS[err.code] ?? err.message) : errorMessage(err))
      setBusy(false)
    }
  }

  return (
    <form onSubmit={(e) => { void submit(e) }}>
      <p>Create the owner account: you. The setup code was printed on the console where Robbie started.</p>
      <TextField
        label='Setup code' value={f.setupCode} onValue={set('setupCode')} required maxLength={64} autoComplete='one-time-code' spellcheck={false}
        hint='Valid for 24 hours; local runs also write it to .run/setup-code.'
      />
      <TextField label='Your name' value={f.name} onValue={set('name')} required maxLength={200} autoComplete='name' />
      <TextField label='Email' type='email' value={f.email} onValue={set('email')} required maxLength={254} autoComplete='username' />
      <TextField
        label='Password' type='password' value={f.password} onValue={set('password')} required minLength={12} maxLength={256}
        autoComplete='new-password' hint='At least 12 characters.'
      />
      <TextField
        label='Repeat password' type='password' value={f.confirm} onValue={set('confirm')} required autoComplete='new-password'
        error={mismatch ? 'The passwords differ.' : null}
      />
      <TextField label='Company name' value={f.companyName} onValue={set('companyName')} required maxLength={200} autoComplete='organization' />
      <TimeZoneField label='Company time zone' value={f.timeZone} onValue={set('timeZone')} />
      {error && <p class='field-error' role='alert'>{error}</p>}
      <div class='wizard-actions'>
        <span />
        <button type='submit' class='btn btn-primary' disabled={busy || !ready}>{busy ? 'Creating…' : 'Create account'}</button>
      </div>
    </form>
  )
}

function ConfirmOwner ({ onNext }: { onNext: () => void }) {
  const [profile, setProfile] = useState<Profile | null>(null)
  const [company, setCompany] = useState<Company | null>(null)
  const [current, setCurrent] = useState('')
  const [next, setNext] = useState('')
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)

  useEffect(() => {
    void Promise.all([api<Profile>('GET', '/api/auth/me'), api<Company>('GET', '/api/auth/company')])
      .then(([p, c]) => { setProfile(p); setCompany(c) }, (err: unknown) => { setError(errorMessage(err)) })
  }, [])
  if (!profile || !company) return error ? <p class='field-error' role='alert'>{error}</p> : <Loading />

  const submit = async (e: Event) => {
    e.preventDefault()
    setBusy(true)
    setError(null)
    try {
      const me = await api<Profile>('PATCH', '/api/auth/me', {
        name: profile.name.trim(), timeZone: profile.timeZone, ...(next ? { password: { current, next } } : {})
      })
      updateUser({ name: me.name })
      await api('PATCH', '/api/auth/company', { name: company.name.trim(), timeZone: company.timeZone })
      onNext()
    } catch (err) {
      setError(errorMessage(err))
      setBusy(false)
    }
  }

  return (
    <form onSubmit={(e) => { void submit(e) }}>
      <p>Robbie created your owner account when it started. Check your details, and change the password you were given.</p>
      <TextField label='Your name' value={profile.name} onValue={(v) => { setProfile({ ...profile, name: v }) }} required maxLength={200} />
      <TextField
        label='Email' type='email' value={profile.email} onValue={() => {}} readOnly
        hint='Your sign-in email; it was set when Robbie started (ROBBIE_OWNER_EMAIL).'
      />
      <TimeZoneField label='Your time zone' value={profile.timeZone} onValue={(v) => { setProfile({ ...profile, timeZone: v }) }} />
      <fieldset>
        <legend>New password (optional)</legend>
        <TextField label='Current password' type='password' value={current} onValue={setCurrent} autoComplete='current-password' maxLength={256} />
        <TextField
          label='New password' type='password' value={next} onValue={setNext} autoComplete='new-password' minLength={12} maxLength={256}
          hint='At least 12 characters. Leave empty to keep the current one.' error={next && next.length < 12 ? 'Too short.' : null}
        />
      </fieldset>
      <TextField label='Company name' value={company.name} onValue={(v) => { setCompany({ ...company, name: v }) }} required maxLength={200} />
      <TimeZoneField label='Company time zone' value={company.timeZone} onValue={(v) => { setCompany({ ...company, timeZone: v }) }} />
      {error && <p class='field-error' role='alert'>{error}</p>}
      <div class='wizard-actions'>
        <span />
        <button type='submit' class='btn btn-primary' disabled={busy || !profile.name.trim() || !company.name.trim() || (next.length > 0 && (next.length < 12 || !current))}>
          {busy ? 'Saving…' : 'Continue'}
        </button>
      </div>
    </form>
  )
}

export function AccountStep ({ needsOwner, onNext }: StepProps & { needsOwner: boolean }) {
  // needsOwner is read once: after the owner is created the wizard goes on rather than switching forms
  const [create] = useState(needsOwner)
  return create ? <CreateOwner onNext={onNext} /> : <ConfirmOwner onNext={onNext} />
}
