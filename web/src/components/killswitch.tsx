// The killswitch button (owner, admin) with its two-step confirmation, and the red banner every user sees
// while it is active (SPEC §10, §11.5).
import { useState } from 'preact/hooks'
import { errorMessage } from '../lib/api.js'
import { killswitch, setKillswitch } from '../lib/killswitch.js'
import { useStore } from '../lib/store.js'
import { toast } from '../lib/toasts.js'
import { dateTime } from '../lib/format.js'
import { Dialog } from './dialog.js'
import { Switch, TextField } from './fields.js'

export function KillswitchBanner () {
  const state = useStore(killswitch)
  if (!state?.active) return null
  return (
    <div class='killswitch-banner' role='alert'>
      <strong>Autonomy paused.</strong>{' '}
      Robbie takes no initiative{state.pauseOutbound ? ' and holds every outgoing email, calendar change and post' : ''}.
      {state.reason && <> Reason: {state.reason}.</>}
      {state.since && <span class='muted-on-red'> Since {dateTime(state.since)}.</span>}
    </div>
  )
}

/** What pausing stops, listed in the confirmation (step 1). */
const PAUSES = [
  'Robbie stops acting on its own initiative (the agent loop stops).',
  'Actions wait for approval, and approvals are still recorded.',
  'Chat, commands, reading and syncing keep working.'
]

export function KillswitchControl ({ compact }: { compact?: boolean }) {
  const state = useStore(killswitch)
  const [step, setStep] = useState<0 | 1 | 2>(0)
  const [reason, setReason] = useState('')
  const [pauseOutbound, setPauseOutbound] = useState(true)
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const active = state?.active ?? false

  const close = () => { setStep(0); setError(null) }
  const apply = async () => {
    setBusy(true)
    setError(null)
    try {
      await setKillswitch(active ? { active: false } : { active: true, reason: reason.trim(), pauseOutbound })
      toast(active ? 'Autonomy resumed' : 'Autonomy paused')
      setReason('')
      close()
    } catch (err) {
      setError(errorMessage(err))
    } finally {
      setBusy(false)
    }
  }

  const firstActions = (
    <>
      <button type='button' class='btn' onClick={close}>Cancel</button>
      <button type='button' class='btn btn-primary' disabled={!active && reason.trim().length === 0} onClick={() => { setStep(2) }}>Continue</button>
    </>
  )
  const secondActions = (
    <>
      <button type='button' class='btn' onClick={close}>Cancel</button>
      <button type='button' class={active ? 'btn btn-primary' : 'btn btn-danger'} disabled={busy} autoFocus onClick={() => { void apply() }}>
        {active ? 'Yes, resume' : 'Yes, pause now'}
      </button>
    </>
  )
  const pauseForm = (
    <>
      <p>Pausing stops Robbie everywhere, for every user:</p>
      <ul class='list'>
        {PAUSES.map((p) => <li key={p}>{p}</li>)}
        {pauseOutbound && <li>Outgoing emails, calendar changes, GitHub actions and Slack posts are held (nothing is dropped).</li>}
      </ul>
      <TextField label='Reason' value={reason} onValue={setReason} maxLength={500} required hint='Shown in the banner and recorded in the audit log.' />
      <Switch label='Also hold outgoing actions' checked={pauseOutbound} onChange={setPauseOutbound} />
    </>
  )

  return (
    <>
      <button
        type='button' class={active ? 'btn btn-small btn-danger' : 'btn btn-small btn-killswitch'}
        aria-haspopup='dialog' onClick={() => { setStep(1) }}
      >
        {active ? 'Resume autonomy' : compact ? 'Pause' : 'Pause autonomy'}
      </button>
      <Dialog open={step === 1} title={active ? 'Resume autonomy?' : 'Pause autonomy?'} onClose={close} actions={firstActions}>
        {active ? <p>Robbie will take initiative again and send whatever the pause held back, in order.</p> : pauseForm}
      </Dialog>
      <Dialog open={step === 2} title={active ? 'Confirm: resume autonomy' : 'Confirm: pause autonomy'} onClose={close} actions={secondActions}>
        <p>{active ? 'This resumes Robbie for everyone.' : `This pauses Robbie for everyone. Reason: “${reason.trim()}”.`}</p>
        {error && <p class='field-error' role='alert'>{error}</p>}
      </Dialog>
    </>
  )
}
