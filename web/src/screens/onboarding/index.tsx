// The first-run wizard (SPEC §10), shown to the owner until company_settings.onboarded_at is set:
// (1) the owner account and company, (2) personality, (4) an Ollama node or no-model mode, (5) sample data,
// then chat. Step 3 (integrations) arrives with the integrations wave.
import { useEffect, useRef, useState } from 'preact/hooks'
import type { Session } from '../../lib/session.js'
import { Avatar } from '../../components/avatar.js'
import { AccountStep } from './account-step.js'
import { PersonalityStep } from './personality-step.js'
import { NodeStep } from './node-step.js'
import { SampleStep } from './sample-step.js'

export interface StepProps { session: Session | null, onNext: () => void, onBack?: () => void }

const STEPS = ['Account', 'Personality', 'Model node', 'Sample data'] as const

export default function Onboarding ({ session, needsOwner, onDone }: { session: Session | null, needsOwner: boolean, onDone: () => void }) {
  const [step, setStep] = useState(0)
  const heading = useRef<HTMLHeadingElement>(null)
  useEffect(() => {
    document.title = `Welcome · ${STEPS[step]} · Robbie`
    if (step > 0) heading.current?.focus() // announce each new step
  }, [step])

  const next = () => { setStep((s) => Math.min(s + 1, STEPS.length - 1)) }
  const back = () => { setStep((s) => Math.max(s - 1, 0)) }

  return (
    <main class='auth-page'>
      <div class='auth-card wizard'>
        <div class='brand'><Avatar mood='friendly' reason='Robbie says hello' /><span>Welcome to Robbie</span></div>
        <ol class='steps' aria-label='Set-up steps'>
          {STEPS.map((name, i) => (
            <li key={name} aria-current={i === step ? 'step' : undefined} class={i < step ? 'done' : undefined}>{name}</li>
          ))}
        </ol>
        <h1 ref={heading} tabIndex={-1}>{STEPS[step]}</h1>
        {step === 0 && <AccountStep session={session} needsOwner={needsOwner} onNext={next} />}
        {step === 1 && <PersonalityStep session={session} onNext={next} onBack={back} />}
        {step === 2 && <NodeStep session={session} onNext={next} onBack={back} />}
        {step === 3 && <SampleStep session={session} onNext={onDone} onBack={back} />}
      </div>
    </main>
  )
}
