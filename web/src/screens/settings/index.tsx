// Settings (SPEC §10): profile, API keys, users and invites, company, killswitch, sample data. Each tab is its own
// URL (/settings/<tab>); tabs a role cannot use are not shown.
import { useEffect } from 'preact/hooks'
import { navigate, useRoute } from '../../lib/router.js'
import type { Role, Session } from '../../lib/session.js'
import { Page, TabLinks } from '../../components/page.js'
import { ProfileTab } from './profile.js'
import { KeysTab } from './keys.js'
import { UsersTab } from './users.js'
import { CompanyTab } from './company.js'
import { KillswitchTab } from './killswitch.js'
import { SampleDataTab } from './sample-data.js'

const TABS: Array<{ id: string, label: string, roles: Role[] }> = [
  { id: 'profile', label: 'Profile', roles: ['owner', 'admin', 'member'] },
  { id: 'keys', label: 'API keys', roles: ['owner', 'admin', 'member'] },
  { id: 'users', label: 'Users', roles: ['owner', 'admin'] },
  { id: 'company', label: 'Company', roles: ['owner', 'admin'] },
  { id: 'killswitch', label: 'Killswitch', roles: ['owner', 'admin'] },
  { id: 'sample-data', label: 'Sample data', roles: ['owner'] }
]

export default function Settings ({ session }: { session: Session }) {
  const route = useRoute()
  const tabs = TABS.filter((t) => t.roles.includes(session.user.role))
  const tab = tabs.find((t) => t.id === route.segments[1])
  const here = route.segments[0] === 'settings'
  useEffect(() => { if (here && !tab) navigate('/settings/profile', { replace: true }) }, [here, tab])
  if (!tab) return null
  return (
    <Page title='Settings'>
      <TabLinks label='Settings sections' current={route.path} tabs={tabs.map((t) => ({ path: `/settings/${t.id}`, label: t.label }))} />
      {tab.id === 'profile' && <ProfileTab session={session} />}
      {tab.id === 'keys' && <KeysTab session={session} />}
      {tab.id === 'users' && <UsersTab session={session} />}
      {tab.id === 'company' && <CompanyTab />}
      {tab.id === 'killswitch' && <KillswitchTab />}
      {tab.id === 'sample-data' && <SampleDataTab />}
    </Page>
  )
}
