// The set-up the screens' e2e files share: a fleet of their own (onboarded, so the wizard stays away), one
// Chromium, the owner's token for API calls beside the browser, and optionally fake Ollama nodes as the fleet's
// configured GPU nodes, serving MODEL. Call webFleet at the top of a file: it registers the beforeAll/afterAll.
import { afterAll, beforeAll } from 'vitest'
import type { Browser } from 'playwright-core'
import { startFakeOllama } from '@robbie/testing'
import { startFleet, type RunningFleet } from '../../test/e2e/fleet-harness.js'
import { launchBrowser, markOnboarded, newPage, signIn, type TestPage } from './browser.js'

export const MODEL = 'llama3.2:3b'

export type FakeNode = Awaited<ReturnType<typeof startFakeOllama>>

export interface GpuNode {
  /** the fake's options beyond its one loaded MODEL */
  fake?: Parameters<typeof startFakeOllama>[0]
  /** the node's entry in ROBBIE_GPU_NODES beyond its name and address (maxInflight, gpu) */
  node?: Record<string, unknown>
}

export interface WebFleet {
  readonly fleet: RunningFleet
  readonly browser: Browser
  /** the owner's access token */
  readonly token: string
  /** the fake nodes, in the order of `nodes` */
  readonly fakes: FakeNode[]
  /** the first fake node */
  readonly fake: FakeNode
  /** a fresh profile signed in as the owner */
  owner: (viewport?: { width: number, height: number }) => Promise<TestPage>
}

export function webFleet (opts: { name: string, env?: Record<string, string>, nodes?: GpuNode[] }): WebFleet {
  const nodes = opts.nodes ?? []
  const fakes: FakeNode[] = []
  let fleet: RunningFleet | undefined
  let browser: Browser | undefined
  let token = ''

  beforeAll(async () => {
    for (const n of nodes) fakes.push(await startFakeOllama({ models: [{ name: MODEL, sizeMb: 2000, loaded: true }], ...n.fake }))
    const gpu: Record<string, string> = nodes.length === 0
      ? {}
      : {
          ROBBIE_GPU_NODES: JSON.stringify(nodes.map((n, i) => ({ name: i === 0 ? 'fake-gpu' : `fake-gpu-${i + 1}`, baseUrl: fakes[i]!.url, ...n.node }))),
          ROBBIE_GPU_ALLOW_LOOPBACK: 'true',
          ROBBIE_GPU_DEFAULT_MODEL: MODEL,
          ROBBIE_GPU_FAST_MODEL: MODEL,
          ROBBIE_GPU_PS_INTERVAL_MS: '500'
        }
    fleet = await startFleet({ name: opts.name, env: { ...gpu, ...opts.env } })
    await markOnboarded(fleet)
    token = (await fleet.login()).accessToken
    browser = await launchBrowser()
  })
  afterAll(async () => {
    await browser?.close()
    await fleet?.stop()
    for (const f of fakes) await f.close()
  })

  const started = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`webFleet: ${what} is not started yet (use it inside a test)`)
    return value
  }
  return {
    get fleet () { return started(fleet, 'the fleet') },
    get browser () { return started(browser, 'the browser') },
    get token () { return token },
    fakes,
    get fake () { return started(fakes[0], 'a fake node') },
    owner: async (viewport) => {
      const f = started(fleet, 'the fleet')
      const t = await newPage(started(browser, 'the browser'), { baseURL: f.url, viewport })
      await signIn(t.page, f.ownerEmail, f.ownerPassword)
      return t
    }
  }
}
