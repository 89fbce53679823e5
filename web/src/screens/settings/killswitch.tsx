// The killswitch tab: what it does, its current state, and the same two-step control as the header.
import { killswitch } from '../../lib/killswitch.js'
import { useStore } from '../../lib/store.js'
import { dateTime } from '../../lib/format.js'
import { KillswitchControl } from '../../components/killswitch.js'
import { Badge, Loading } from '../../components/feedback.js'

export function KillswitchTab () {
  const state = useStore(killswitch)
  if (!state) return <Loading />
  return (
    <div class='card'>
      <h2>Killswitch</h2>
      <p>The killswitch stops Robbie taking any initiative, for every user, at once. Approvals are still recorded; with “hold outgoing actions”,
        emails, calendar changes, GitHub actions and Slack posts wait (nothing is dropped) until you resume. Chat, commands, reading and syncing keep working.
      </p>
      <dl class='kv'>
        <dt>State</dt><dd>{state.active ? <Badge kind='bad'>paused</Badge> : <Badge kind='good'>running</Badge>}</dd>
        {state.active && <><dt>Holding outgoing actions</dt><dd>{state.pauseOutbound ? 'yes' : 'no'}</dd></>}
        {state.reason && <><dt>Reason</dt><dd>{state.reason}</dd></>}
        {state.since && <><dt>Since</dt><dd>{dateTime(state.since)}</dd></>}
      </dl>
      <KillswitchControl />
    </div>
  )
}
