export * from './pool.js'
export * from './migrate.js'
export * from './provision.js'
export * from './errors.js'
