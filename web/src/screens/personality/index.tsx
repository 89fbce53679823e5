// The personality screen: the same panel as the chat's side panel, on a page of its own (SPEC §10).
import type { Session } from '../../lib/session.js'
import { Page } from '../../components/page.js'
import { PersonalityPanel } from './panel.js'

export default function PersonalityScreen (_props: { session: Session }) {
  return (
    <Page title='Personality'>
      <p class='muted'>How Robbie talks to you. Each slider adds one sentence to Robbie's instructions; what Robbie may do
        without asking is decided by the autonomy rule, not by the wording.
      </p>
      <PersonalityPanel />
    </Page>
  )
}
