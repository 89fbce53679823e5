// `npm run new-service -- <name> [--purpose "…"] [--into <dir>]`: copies services/_template to services/<name>
// as @robbie/<name>. Add the name to fleet.json (its port follows from the order) and run `npm start`: the
// set-up creates its schema and roles, and compose and the gateway read the fleet list.
import { cpSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'

const root = join(import.meta.dirname, '..')
const { positionals, values } = parseArgs({ allowPositionals: true, options: { purpose: { type: 'string' }, into: { type: 'string' }, port: { type: 'string' } } })
const name = positionals[0]
if (!name || !/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(name) || name.length > 30) {
  console.error('usage: npm run new-service -- <name> (lowercase kebab-case, at most 30 characters)')
  process.exit(2)
}
const target = join(values.into ?? join(root, 'services'), name)
if (existsSync(target)) {
  console.error(`${target} exists already`)
  process.exit(1)
}
const vars = { __name__: name, __schema__: name.replaceAll('-', '_'), __purpose__: values.purpose ?? `The ${name} service.`, __port__: values.port ?? '0' }
cpSync(join(root, 'services', '_template'), target, { recursive: true, filter: (src) => !src.includes('node_modules') })
for (const file of walk(target)) {
  let text = readFileSync(file, 'utf8')
  for (const [k, v] of Object.entries(vars)) text = text.replaceAll(k, v)
  writeFileSync(file, text)
}
console.log(`created ${target}`)

function * walk (dir) {
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry)
    if (statSync(path).isDirectory()) yield * walk(path)
    else yield path
  }
}
