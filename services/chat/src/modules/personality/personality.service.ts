// The personality use cases (SPEC §3.3): read (balanced defaults for a new user), change by values or preset,
// preview. A change commits its row, its history row, the audit row of an `auto` change and the
// chat.personality.updated.v1 event together; the user's sockets hear of it after the commit.
import type { FastifyBaseLogger, FastifyRequest } from 'fastify'
import { withTransaction, type Pool } from '@robbie/db'
import type { Outbox } from '@robbie/bus'
import { genericError, type Audit } from '@robbie/service-kit'
import type { CompiledPersonality, Personality, Sliders } from '../assistant.types.js'
import { compilePersonality, DEFAULT_PRESET, deriveMood, presetMatching, presetNamed, PRESETS, SLIDERS, slidersOf } from './compile.js'
import { lineDiff } from './diff.js'
import { UnknownPreset } from './personality.errors.js'
import { personalityUpdated } from './personality.events.js'
import type { PersonalityRepository, PersonalityRow, Via } from './personality.repository.js'
import { PersonalityChange, type PreviewBody, type PreviewReply } from './personality.schemas.js'
import { assertValid } from './validate.js'

/** Who changed the sliders: always the user's own explicit action (SPEC §3.3), through one of the doors. */
interface ChangedBy { userId: string, via: Via, request?: FastifyRequest }
/** `personality.changed` (SPEC §3.1); the socket hub adds `seq` and `ts`. */
export interface PersonalityChangedFrame { type: 'personality.changed', personality: Personality, mood: Personality['mood'], version: number }
export type Notify = (userId: string, frame: PersonalityChangedFrame) => void | Promise<void>

interface PersonalityDeps {
  pool: Pool
  repo: PersonalityRepository
  audit: Pick<Audit, 'record'>
  outbox: Pick<Outbox, 'add'>
  log: FastifyBaseLogger
  notify?: Notify
  now?: () => Date
}

const toPersonality = (r: PersonalityRow): Personality => ({
  ...slidersOf(r), preset: r.preset, mood: deriveMood(r), version: r.version, updatedAt: r.updatedAt.toISOString()
})

const toPreview = ({ useFastModel: _fast, ...rest }: CompiledPersonality) => rest

export function createPersonalityService (deps: PersonalityDeps) {
  const now = deps.now ?? (() => new Date())

  async function current (userId: string): Promise<PersonalityRow> {
    const found = await deps.repo.find(userId)
    if (found) return found
    await deps.repo.insertDefault(userId, DEFAULT_PRESET, DEFAULT_PRESET.name, now())
    return (await deps.repo.find(userId))!
  }

  /** The values after `change`, with the preset they amount to. Validates first: bad input changes nothing. */
  function apply (base: Sliders, change: PersonalityChange): { values: Sliders, preset: string | null } {
    assertValid(PersonalityChange, change)
    if (change.preset !== undefined) {
      if (SLIDERS.some((k) => change[k] !== undefined)) {
        throw genericError('chat', 'VALIDATION_FAILED', 'Send slider values or a preset, not both', { details: [{ path: 'body/preset', rule: 'exclusive' }] })
      }
      const preset = presetNamed(change.preset)
      if (!preset) throw new UnknownPreset(change.preset)
      return { values: slidersOf(preset), preset: preset.name }
    }
    const values = { ...slidersOf(base), ...Object.fromEntries(SLIDERS.filter((k) => change[k] !== undefined).map((k) => [k, change[k]])) } as Sliders
    return { values, preset: presetMatching(values) }
  }

  return {
    async get (userId: string): Promise<Personality> { return toPersonality(await current(userId)) },

    compile: compilePersonality,

    /** PUT /personality, the WS `personality.update` frame and the `/personality` command. No change: no new version. */
    async set (userId: string, change: PersonalityChange, by: ChangedBy): Promise<Personality> {
      apply(DEFAULT_PRESET, change) // bad input is refused before anything is written, even the default row
      await current(userId)
      const { row: saved, changed } = await withTransaction(deps.pool, async (client) => {
        const before = (await deps.repo.find(userId, client, true))!
        const next = apply(before, change)
        if (SLIDERS.every((k) => before[k] === next.values[k]) && before.preset === next.preset) return { row: before, changed: false }
        const row = await deps.repo.update(userId, next.values, next.preset, now(), client)
        await deps.repo.insertHistory({ row, changedBy: by.userId, via: by.via }, client)
        if (before.auto !== row.auto) {
          // SPEC §2.4: autonomy changes are audited (who, from, to; never anything else)
          await deps.audit.record(client, {
            action: 'chat.personality.auto_change',
            outcome: 'success',
            resourceType: 'personality',
            resourceId: userId,
            details: { from: before.auto, to: row.auto, via: by.via },
            ...(by.request ? {} : { actor: { type: 'user', id: by.userId } })
          }, by.request)
        }
        await deps.outbox.add(client, personalityUpdated(row, by.userId, by.request?.id))
        return { row, changed: true }
      })
      const personality = toPersonality(saved)
      if (!changed) return personality
      try {
        await deps.notify?.(userId, { type: 'personality.changed', personality, mood: personality.mood, version: personality.version })
      } catch (err) {
        deps.log.warn({ err, userId }, 'personality push failed') // the UI refetches; the change stands
      }
      return personality
    },

    presets: () => ({ items: PRESETS.map((p) => ({ ...p, mood: deriveMood(p) })), nextCursor: null }),

    /** Deterministic, no model: both compiled prompts and their line diff. The sample is the route's business. */
    preview (body: Pick<PreviewBody, 'sliders' | 'compareWith'>): Omit<PreviewReply, 'sample'> {
      const a = compilePersonality(body.sliders)
      if (!body.compareWith) return { a: toPreview(a) }
      const b = compilePersonality(body.compareWith)
      return { a: toPreview(a), b: toPreview(b), diff: lineDiff(a.systemPrompt, b.systemPrompt) }
    }
  }
}
export type PersonalityService = ReturnType<typeof createPersonalityService>
