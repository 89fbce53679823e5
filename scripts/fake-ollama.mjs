// `node scripts/fake-ollama.mjs --port 11434 --models llama3.2:3b=2000,qwen2.5:7b=4700 --tps 40`: a fake Ollama
// node (packages/testing's startFakeOllama) for local demos; --help lists the options. Not started by npm start.
import { spawn } from 'node:child_process'
import { join } from 'node:path'

const rootDir = join(import.meta.dirname, '..')
const file = join(rootDir, 'packages/testing/src/fakes/ollama/cli.ts')
const child = spawn(process.execPath, ['--import', 'tsx', file, ...process.argv.slice(2)], { cwd: rootDir, stdio: 'inherit' })
// Ctrl-C reaches the whole foreground group; a plain kill of this pid must still stop the node.
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal))
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)))
