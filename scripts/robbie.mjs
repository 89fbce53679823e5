// `npm run robbie -- <command> [args]`: the operator CLI. Each command is its own script; TypeScript ones
// run with `node --import tsx` (services and scripts run from source). Add a command by adding a row.
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'

const rootDir = join(import.meta.dirname, '..')

const COMMANDS = {
  bootstrap: { file: 'scripts/bootstrap.ts', help: 'write missing key files to <run dir>/keys (--rotate jwt: new JWT signing key)' },
  'create-key': { file: 'scripts/keys.ts', args: ['create'], help: 'a personal API key: --user <email> --name <name> --scopes a,b [--days 90] (shown once)' },
  'revoke-key': { file: 'scripts/keys.ts', args: ['revoke'], help: 'revoke an API key everywhere: <id>' },
  'verify-audit': { file: 'scripts/audit.ts', help: "recompute every service's audit chain against the last checkpoint [--service s] [--from-seq n]" },
  'create-user': { file: 'scripts/users.ts', args: ['create-user'], help: 'add an account to the running fleet: --email <email> --role admin|member [--name <name>] [--password <pw>]' },
  'secrets-import': { file: 'scripts/secrets-import.ts', help: 'a .env file into the vault: --file <path> --service <svc> [--scope global|company|node --scope-id <id>] [--dry-run] (prints names and versions, never values)' }
}

function usage () {
  const rows = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(12)} ${c.help}`)
  return ['usage: npm run robbie -- <command> [args]', '', 'commands:', ...rows].join('\n')
}

const [name, ...args] = process.argv.slice(2)
const command = COMMANDS[name]
if (!command) {
  if (name && name !== 'help' && name !== '--help') console.error(`unknown command: ${name}\n`)
  console.log(usage())
  process.exit(name && name !== 'help' && name !== '--help' ? 1 : 0)
}

const file = join(rootDir, command.file)
const all = [...(command.args ?? []), ...args]
const nodeArgs = file.endsWith('.ts') ? ['--import', 'tsx', file, ...all] : [file, ...all]
const result = spawnSync(process.execPath, nodeArgs, { cwd: rootDir, stdio: 'inherit' })
if (result.error) throw result.error
process.exit(result.status ?? 1)
