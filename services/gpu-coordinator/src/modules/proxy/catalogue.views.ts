// The mesh's model catalogue in Ollama's and OpenAI's listing shapes (SPEC §7.3): /api/tags is the union of
// the models on serving nodes with `robbie.nodes`, /api/ps one entry per model loaded on a node with
// `robbie.node`, /v1/models the union again.
import type { Mesh } from '../mesh/mesh.types.js'

const MB = 1024 * 1024
const EPOCH = new Date(0).toISOString()
/** The Ollama API level this coordinator speaks (the routes of SPEC §7.3), reported by /api/version. */
export const OLLAMA_API_VERSION = '0.12.0'

type Catalogue = ReturnType<Mesh['catalogue']>
const detailsOf = (d: unknown) => (d !== null && typeof d === 'object' ? d : {}) as Record<string, never>

export function tagsView (c: Catalogue) {
  return {
    models: c.models.map((m) => ({
      name: m.name,
      model: m.name,
      modified_at: m.modifiedAt ?? EPOCH,
      size: Math.round(m.sizeMb * MB),
      digest: m.digest ?? '',
      details: detailsOf(m.details),
      robbie: { nodes: m.nodes }
    }))
  }
}

export function psView (c: Catalogue) {
  const byName = new Map(c.models.map((m) => [m.name, m]))
  return {
    models: c.loaded.map((l) => {
      const m = byName.get(l.model)
      return {
        name: l.model,
        model: l.model,
        size: Math.round(l.sizeMb * MB),
        digest: m?.digest ?? '',
        details: detailsOf(m?.details),
        expires_at: l.expiresAt ?? EPOCH,
        size_vram: Math.round(l.sizeMb * MB),
        robbie: { node: l.node }
      }
    })
  }
}

export function modelsView (c: Catalogue) {
  return {
    object: 'list' as const,
    data: c.models.map((m) => ({
      id: m.name,
      object: 'model' as const,
      created: Math.floor(Date.parse(m.modifiedAt ?? EPOCH) / 1000) || 0,
      owned_by: 'library'
    }))
  }
}
