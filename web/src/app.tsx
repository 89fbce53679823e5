// The app shell: decides between the first-run wizard, login, the invite page and the signed-in screens,
// and lazy-loads each screen as its own chunk. A screen is `./screens/<name>/index.tsx` default-exporting
// `(props: { session: Session }) => JSX`.
import type { ComponentType } from 'preact'
import { useEffect, useRef, useState } from 'preact/hooks'
import { Header } from './components/header.js'
import { KillswitchBanner } from './components/killswitch.js'
import { Nav } from './components/nav.js'
import { Shortcuts } from './components/shortcuts.js'
import { Toasts } from './components/toasts.js'
import { ErrorNote, Loading } from './components/feedback.js'
import { api } from './lib/api.js'
import { watchKillswitch } from './lib/killswitch.js'
import { loadMood } from './lib/mood.js'
import { navigate, useRoute } from './lib/router.js'
import { getSession, onSessionChange, restore, type Session } from './lib/session.js'
import { ensureChatSocket } from './lib/ws.js'

export interface ScreenProps { session: Session }
type AnyScreen = ComponentType<any>
const loaders = import.meta.glob<{ default: AnyScreen }>('./screens/*/index.tsx')
const loaded = new Map<string, AnyScreen>()

/** The screens behind the main navigation; anything else is "not found". */
const SCREENS = new Set(['chat', 'personality', 'priorities', 'approvals', 'notes', 'mesh', 'secrets', 'audit', 'system', 'settings'])

function LazyScreen ({ name, props }: { name: string, props: Record<string, unknown> }) {
  const [Screen, setScreen] = useState<AnyScreen | null>(() => loaded.get(name) ?? null)
  const [error, setError] = useState<unknown>(null)
  useEffect(() => {
    const cached = loaded.get(name)
    if (cached) { setScreen(() => cached); return }
    setScreen(null)
    const load = loaders[`./screens/${name}/index.tsx`]
    if (!load) { setError(new Error(`no screen ${name}`)); return }
    let live = true
    load().then((m) => {
      loaded.set(name, m.default)
      if (live) setScreen(() => m.default)
    }, (err: unknown) => { if (live) setError(err) })
    return () => { live = false }
  }, [name])
  if (error) return <ErrorNote error={error} onRetry={() => { window.location.reload() }} />
  if (!Screen) return <Loading />
  return <Screen {...props} />
}

function NotFound () {
  return (
    <section class='page'>
      <h1 id='page-title' tabIndex={-1}>Page not found</h1>
      <p>There is nothing here. <a href='/chat'>Go to the chat</a>.</p>
    </section>
  )
}

function Shell ({ session }: { session: Session }) {
  const route = useRoute()
  const [navOpen, setNavOpen] = useState(false)
  const main = useRef<HTMLElement>(null)
  const first = useRef(true)
  const name = route.segments[0] ?? ''

  useEffect(() => {
    if (name === '' || name === 'login' || name === 'welcome') navigate('/chat', { replace: true })
  }, [name])
  useEffect(() => watchKillswitch(), [])
  // one socket per tab for every screen: the connection dot and live pushes (ws.ts, W2)
  useEffect(() => { ensureChatSocket() }, [session.user.id])
  useEffect(() => { void loadMood() }, [session.user.id])

  // After a navigation, focus the new screen's heading so assistive technology announces it.
  useEffect(() => {
    if (first.current) { first.current = false; return }
    setNavOpen(false)
    const timer = setTimeout(() => { (document.getElementById('page-title') ?? main.current)?.focus() }, 60)
    return () => { clearTimeout(timer) }
  }, [route.path])

  return (
    <div class='shell'>
      <a class='skip-link' href='#main'>Skip to content</a>
      <Header session={session} navOpen={navOpen} onToggleNav={() => { setNavOpen(!navOpen) }} />
      <KillswitchBanner />
      <div class='layout'>
        <Nav role={session.user.role} current={route.path} open={navOpen} onNavigate={() => { setNavOpen(false) }} />
        <main id='main' ref={main} tabIndex={-1}>
          {/* keyed: the old screen unmounts at once, so it never sees (and reacts to) the next screen's route */}
          {SCREENS.has(name) ? <LazyScreen key={name} name={name} props={{ session }} /> : name === '' ? <Loading /> : <NotFound />}
        </main>
      </div>
      <Shortcuts />
    </div>
  )
}

interface SetupStatus { needsOwner: boolean, onboarded: boolean }

export function App () {
  const route = useRoute()
  const [session, setSession] = useState<Session | null>(getSession)
  const [setup, setSetup] = useState<SetupStatus | null>(null)
  const [bootError, setBootError] = useState<unknown>(null)

  const loadSetup = async () => {
    try {
      setSetup(await api<SetupStatus>('GET', '/api/auth/setup', undefined, { auth: false }))
      setBootError(null)
    } catch (err) {
      setBootError(err)
    }
  }

  useEffect(() => {
    const off = onSessionChange((s) => {
      setSession(s)
      if (s) void loadSetup() // a new sign-in may be the owner of an installation not yet onboarded
    })
    void (async () => {
      await restore()
      await loadSetup()
    })()
    return off
  }, [])

  if (bootError && !setup) return <main class='boot'><ErrorNote error={bootError} onRetry={() => { void loadSetup() }} /></main>
  if (!setup) return <main class='boot'><Loading label='Starting Robbie…' /></main>

  let content
  if (route.segments[0] === 'invite' && !session) {
    content = <LazyScreen name='invite' props={{}} />
  } else if (setup.needsOwner || (session?.user.role === 'owner' && !setup.onboarded)) {
    content = <LazyScreen name='onboarding' props={{ session, needsOwner: setup.needsOwner, onDone: () => { setSetup({ needsOwner: false, onboarded: true }); navigate('/chat') } }} />
  } else if (!session) {
    content = <LazyScreen name='login' props={{}} />
  } else {
    content = <Shell session={session} />
  }
  return <>{content}<Toasts /></>
}
