// What chat's share of the sample data says (SPEC §11.6). It tells one story with the priorities sample: the Acme
// renewal (Dana Reyes), the Initech expansion (Priya Shah) and the Globex pilot (Sam Lee), so a note, a task and a
// deal about the same person meet in the prompt and on the screens.
import type { CreateNoteBody } from '../notes/index.js'

type SampleNote = CreateNoteBody & { title: string, category: NonNullable<CreateNoteBody['category']> }

export const SAMPLE_NOTES: readonly SampleNote[] = [
  {
    title: 'Dana Reyes prefers calls before 10am',
    category: 'intel',
    tags: ['sample', 'acme', 'dana-reyes'],
    content: 'Dana (Acme, owns the renewal) picks up the phone before 10:00 her time and rarely answers email after lunch. ' +
      'For the contract redlines, call rather than write, and have the Acme renewal numbers at hand.'
  },
  {
    title: 'Board meeting cadence',
    category: 'reference',
    tags: ['sample', 'board'],
    content: 'The board meets on the **first Thursday of each quarter**.\n\n' +
      '- the board memo goes out one week before\n' +
      '- the investor update follows within 10 days\n' +
      '- the Q3 hiring plan needs approval before the next meeting'
  },
  {
    title: 'Pricing experiment ideas',
    category: 'ideas',
    tags: ['sample', 'pricing'],
    content: '1. Annual prepay discount of 15 % instead of 10 %\n' +
      '2. A usage-based tier for pilots like Globex, converting to seats after 90 days\n' +
      '3. Bundle premium support into the expansion tier (test it with Initech)'
  },
  {
    title: 'Who is who at Acme, Initech and Globex',
    category: 'connections',
    tags: ['sample', 'acme', 'initech', 'globex'],
    content: '- **Dana Reyes** (Acme): decides the renewal; a call beats an email\n' +
      '- **Priya Shah** (Initech): executive sponsor of the expansion; wants a security review first\n' +
      '- **Sam Lee** (Globex): runs the pilot; needs the revised proposal before their budget meeting'
  },
  {
    title: 'Draft: follow-up to Dana on the Acme renewal',
    category: 'drafts',
    tags: ['sample', 'acme', 'dana-reyes'],
    content: 'Hi Dana,\n\nThanks for the redlines. We can accept the payment terms and the data-processing addendum as written; ' +
      'on the liability cap we would like to keep 12 months of fees. Could we go through it on a call tomorrow before 10?\n\nBest regards'
  }
]

export const WELCOME_TITLE = 'Welcome to Robbie'

/** The assistant's first message (markdown); `name` is the owner's name when auth could tell it. */
export function welcomeMessage (name: string | null): string {
  const first = name?.trim().split(/\s+/)[0]
  return [
    `Hi${first ? ` ${first}` : ''}, I'm **Robbie**, your executive assistant.`,
    '',
    'I loaded some sample data so you can look around: a dozen tasks (the Acme renewal, the Initech expansion and the Globex pilot ' +
      'among them), the people behind those deals, five notes and a secret that is due for rotation. You can remove all of it under ' +
      '**Settings → Sample data**.',
    '',
    'A few things to try:',
    '',
    '- `/priorities`: what needs you now, and why',
    '- `/task add Call Dana Reyes about the redlines !high due:tomorrow`: add a task',
    '- `/help`: every command',
    '',
    'Commands work even without a language model. Once an admin adds an Ollama node under **GPU mesh**, you can also just ask me ' +
      'in your own words.'
  ].join('\n')
}
