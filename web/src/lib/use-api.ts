// Loading data for a screen: the fetch, its error, a reload, and no state update after the screen is gone.
import { useCallback, useEffect, useRef, useState } from 'preact/hooks'
import { api } from './api.js'

export interface Loaded<T> {
  data: T | undefined
  error: unknown
  loading: boolean
  reload: () => Promise<void>
  setData: (data: T) => void
}

/** GETs `path` when it changes (null: nothing to load yet). */
export function useApi<T> (path: string | null): Loaded<T> {
  const [data, setData] = useState<T | undefined>(undefined)
  const [error, setError] = useState<unknown>(null)
  const [loading, setLoading] = useState(path !== null)
  const latest = useRef(path)
  latest.current = path

  const reload = useCallback(async () => {
    if (path === null) return
    setLoading(true)
    try {
      const result = await api<T>('GET', path)
      if (latest.current === path) { setData(result); setError(null) }
    } catch (err) {
      if (latest.current === path) setError(err)
    } finally {
      if (latest.current === path) setLoading(false)
    }
  }, [path])

  useEffect(() => { void reload() }, [reload])
  return { data, error, loading, reload, setData }
}

/** Runs an action with a busy flag, for buttons: `const [busy, run] = useBusy()`; `run(async () => …)`. */
export function useBusy (): [boolean, (fn: () => Promise<void>) => Promise<void>] {
  const [busy, setBusy] = useState(false)
  const run = useCallback(async (fn: () => Promise<void>) => {
    setBusy(true)
    try { await fn() } finally { setBusy(false) }
  }, [])
  return [busy, run]
}
