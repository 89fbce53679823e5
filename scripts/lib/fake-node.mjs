// A fake Ollama node for local demos, started by npm start only when asked (ROBBIE_FAKE_OLLAMA=true, issue 6):
// packages/testing's fake on 127.0.0.1:<base + 150> (ROBBIE_FAKE_OLLAMA_PORT), recorded under <runDir>/pids/ like
// a private Redis, so npm stop stops it. It answers with canned text, so it shows the streaming and routing
// paths without a GPU; it is no language model.
import { join } from 'node:path'
import { isAlive, portOpen, readPid, spawnDetached, startedDir, waitFor, writePid } from './procs.mjs'

export const FAKE_NODE_MARKER = join('fakes', 'ollama', 'cli.ts')

/** → { url, started: 'fake-ollama' | null } */
export async function ensureFakeNode ({ rootDir, runDir, port, log = console.log }) {
  const url = `http://127.0.0.1:${port}`
  const pidFile = join(startedDir(runDir), 'fake-ollama.pid')
  const running = readPid(pidFile)
  if (isAlive(running, FAKE_NODE_MARKER)) {
    log(`fake Ollama node already running at ${url} (pid ${running})`)
    return { url, started: null }
  }
  if (await portOpen(port)) throw new Error(`port ${port} for the fake Ollama node is taken (set ROBBIE_FAKE_OLLAMA_PORT)`)
  const pid = spawnDetached(process.execPath, ['--import', 'tsx', join(rootDir, 'packages', 'testing', 'src', FAKE_NODE_MARKER),
    '--port', String(port), '--models', 'llama3.2:3b=2000,qwen2.5:7b=4700', '--loaded', 'llama3.2:3b', '--tps', '40'],
  { cwd: rootDir, logFile: join(runDir, 'logs', 'fake-ollama.log') })
  writePid(pidFile, pid)
  if (!await waitFor(async () => isAlive(pid) && await portOpen(port), { timeoutMs: 20_000 })) {
    throw new Error(`the fake Ollama node did not start (log: ${join(runDir, 'logs', 'fake-ollama.log')})`)
  }
  log(`fake Ollama node at ${url} (pid ${pid}; a demo node with canned answers, not a model)`)
  return { url, started: 'fake-ollama' }
}
