// The personality preview's sample (SPEC §3.3): one fixed golden question answered at given slider settings, at
// batch priority and with the user's rights, or null when no model answers. The answer is redacted like any.
import type { Identity } from '@robbie/contracts'
import type { FastifyBaseLogger } from 'fastify'
import type { PersonalityApi, Sliders } from '../assistant.types.js'
import type { Redactor } from '../redaction/redactor.js'
import type { Directory } from './directory.js'
import type { ModelClient } from './model.js'

export const GOLDEN_QUESTION = 'I have a board meeting tomorrow morning, 40 unread emails and a hiring decision due Friday. What should I do first?'
const SAMPLE_MS = 120_000

export function createSampler (deps: { model: ModelClient, personality: Pick<PersonalityApi, 'compile'>, directory: Pick<Directory, 'userToken'>, redactor: Redactor, log: FastifyBaseLogger }) {
  return async (sliders: Sliders, identity: Identity): Promise<string | null> => {
    if (!deps.model.configured) return null
    const compiled = deps.personality.compile(sliders)
    try {
      const { stream } = await deps.model.chat({
        token: await deps.directory.userToken(identity.id),
        conversationId: `preview:${identity.id}`,
        model: compiled.useFastModel ? 'fast' : 'default',
        messages: [{ role: 'system', content: `You are Robbie, an executive assistant.\n${compiled.systemPrompt}` }, { role: 'user', content: GOLDEN_QUESTION }],
        numPredict: compiled.numPredict,
        priority: 'batch',
        signal: AbortSignal.timeout(SAMPLE_MS)
      })
      let text = ''
      for await (const part of stream) text += part.message?.content ?? ''
      return (await deps.redactor.forTurn().redact(text)).text
    } catch (err) {
      deps.log.warn({ err: { message: (err as Error).message } }, 'preview sample not answered')
      return null
    }
  }
}
