// ROBBIE_GPU_NODES (SPEC §7.1): a JSON array of {name, baseUrl, labels?, maxInflight?, gpu?}, checked at boot under
// the same URL rules as the API. A bad entry stops the coordinator, naming it (ConfigError → exit 78).
import { Value } from 'typebox/value'
import { ConfigError } from '@robbie/service-kit'
import { ConfigNode } from './nodes.schemas.js'
import { baseUrlOf, checkNodeUrl, type Resolver } from './url-rules.js'

export async function parseConfigNodes (raw: string, opts: { allowLoopback: boolean, resolve?: Resolver }): Promise<ConfigNode[]> {
  if (raw.trim() === '') return []
  let list: unknown
  try { list = JSON.parse(raw) } catch { throw new ConfigError(['ROBBIE_GPU_NODES: not valid JSON (a JSON array of {name, baseUrl, labels?, maxInflight?, gpu?})']) }
  if (!Array.isArray(list)) throw new ConfigError(['ROBBIE_GPU_NODES: must be a JSON array'])
  const problems: string[] = []
  const names = new Set<string>()
  for (const [i, entry] of list.entries()) {
    const label = `ROBBIE_GPU_NODES[${i}]${typeof (entry as { name?: unknown })?.name === 'string' ? ` (${(entry as { name: string }).name})` : ''}`
    if (!Value.Check(ConfigNode, entry)) {
      const first = [...Value.Errors(ConfigNode, entry)][0]
      problems.push(`${label}: ${first?.instancePath || '/'} ${first?.message ?? 'is not valid'}`)
      continue
    }
    if (names.has(entry.name)) problems.push(`${label}: the name is used twice`)
    names.add(entry.name)
    try {
      entry.baseUrl = baseUrlOf(await checkNodeUrl(entry.baseUrl, opts))
    } catch (err) {
      problems.push(`${label}: baseUrl not allowed: ${(err as Error).message}`)
    }
  }
  if (problems.length > 0) throw new ConfigError(problems)
  return list as ConfigNode[]
}
