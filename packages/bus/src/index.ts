import { fileURLToPath } from 'node:url'

/** This package's migrations; the kit runs them first (source name `bus`) in every service schema. */
export const busMigrationsDir = fileURLToPath(new URL('../migrations', import.meta.url))

export * from './redis.js'
export * from './envelope.js'
export { createOutbox, outboxChannel, type Outbox } from './outbox.js'
export { createRelay, type Relay, type RelayOptions } from './relay.js'
export { STREAM_MAXLEN, checkEpoch, publishBatch, pruneOutbox } from './relay-steps.js'
export { createConsumer, type Consumer, type ConsumerOptions } from './consumer.js'
export { parseEnvelope, type Handler, type Outcome } from './consume-entry.js'
export { createDeadLetters, InvalidCursorError, type DeadLetter, type DeadLetters } from './dead-letters.js'
export { createHints, type Hints } from './hints.js'
export { errorMessage } from './waker.js'
