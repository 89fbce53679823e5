// Company settings (SPEC §2.2): name, internal email domains, time zone, undo window, caps, the daily brief's
// schedule and the owner's writing-style note. Only changed fields are sent.
import { useEffect, useState } from 'preact/hooks'
import { api, errorMessage } from '../../lib/api.js'
import { toast } from '../../lib/toasts.js'
import { TextArea, TextField } from '../../components/fields.js'
import { TimeZoneField } from '../../components/timezone.js'
import { ErrorNote, Loading } from '../../components/feedback.js'

interface Company {
  name: string,
  slug: string,
  internalDomains: string[],
  timeZone: string,
  undoWindowS: number,
  dailySendCap: number,
  dailyCalendarWriteCap: number,
  memberGpuSecondsPerDay: number,
  writingStyle: string,
  briefCron: string,
  version: number
}
type Form = Omit<Record<keyof Company, string>, 'version'>

const toForm = (c: Company): Form => ({
  name: c.name,
  slug: c.slug,
  internalDomains: c.internalDomains.join(', '),
  timeZone: c.timeZone,
  undoWindowS: String(c.undoWindowS),
  dailySendCap: String(c.dailySendCap),
  dailyCalendarWriteCap: String(c.dailyCalendarWriteCap),
  memberGpuSecondsPerDay: String(c.memberGpuSecondsPerDay),
  writingStyle: c.writingStyle,
  briefCron: c.briefCron
})
const NUMBERS = new Set(['undoWindowS', 'dailySendCap', 'dailyCalendarWriteCap', 'memberGpuSecondsPerDay'])

function changes (before: Form, after: Form): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const key of Object.keys(after) as Array<keyof Form>) {
    if (after[key] === before[key]) continue
    if (key === 'internalDomains') out[key] = after[key].split(/[\s,]+/).map((d) => d.trim().toLowerCase()).filter(Boolean)
    else if (NUMBERS.has(key)) out[key] = Number(after[key])
    else out[key] = key === 'writingStyle' ? after[key] : after[key].trim()
  }
  return out
}

export function CompanyTab () {
  const [loaded, setLoaded] = useState<Form | null>(null)
  const [form, setForm] = useState<Form | null>(null)
  const [error, setError] = useState<unknown>(null)
  const [saveError, setSaveError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)

  useEffect(() => {
    api<Company>('GET', '/api/auth/company').then((c) => { setLoaded(toForm(c)); setForm(toForm(c)) }, setError)
  }, [])
  if (error) return <ErrorNote error={error} />
  if (!form || !loaded) return <Loading />
  const set = (k: keyof Form) => (v: string) => { setForm({ ...form, [k]: v }) }
  const diff = changes(loaded, form)

  const submit = async (e: Event) => {
    e.preventDefault()
    setBusy(true)
    setSaveError(null)
    try {
      const c = await api<Company>('PATCH', '/api/auth/company', diff)
      setLoaded(toForm(c))
      setForm(toForm(c))
      toast('Company settings saved')
    } catch (err) {
      setSaveError(errorMessage(err))
    } finally {
      setBusy(false)
    }
  }

  return (
    <form class='card' onSubmit={(e) => { void submit(e) }}>
      <h2>Company</h2>
      <div class='grid-2'>
        <div>
          <TextField label='Company name' value={form.name} onValue={set('name')} required maxLength={200} />
          <TextField
            label='Short name (slug)' value={form.slug} onValue={set('slug')} maxLength={63}
            hint='Lowercase letters, digits and dashes; company-scoped secrets use it.'
          />
          <TextField
            label='Internal email domains' value={form.internalDomains} onValue={set('internalDomains')} maxLength={2000}
            hint='Comma-separated, e.g. example.com. Mail from these counts as internal.'
          />
          <TimeZoneField label='Company time zone' value={form.timeZone} onValue={set('timeZone')} />
          <TextField
            label='Daily brief schedule (cron)' value={form.briefCron} onValue={set('briefCron')} maxLength={100} spellcheck={false}
            hint='Five fields in the company time zone; 0 8 * * 1-5 is 08:00 on weekdays.'
          />
        </div>
        <div>
          <TextField label='Undo window for sent email (seconds)' type='number' min={0} max={600} value={form.undoWindowS} onValue={set('undoWindowS')} />
          <TextField label='Emails sent per day (cap)' type='number' min={0} max={10000} value={form.dailySendCap} onValue={set('dailySendCap')} />
          <TextField label='Calendar changes per day (cap)' type='number' min={0} max={10000} value={form.dailyCalendarWriteCap} onValue={set('dailyCalendarWriteCap')} />
          <TextField label='GPU seconds per member per day' type='number' min={0} max={86400} value={form.memberGpuSecondsPerDay} onValue={set('memberGpuSecondsPerDay')} />
        </div>
      </div>
      <TextArea
        label='Writing style' value={form.writingStyle} onValue={set('writingStyle')} maxLength={4000}
        hint='How the owner writes. Robbie drafts email in this voice, not its own.'
      />
      {saveError && <p class='field-error' role='alert'>{saveError}</p>}
      <div class='row'>
        <button type='submit' class='btn btn-primary' disabled={busy || Object.keys(diff).length === 0}>Save</button>
        <button type='button' class='btn' disabled={busy || Object.keys(diff).length === 0} onClick={() => { setForm(loaded) }}>Discard changes</button>
      </div>
    </form>
  )
}
