// A tiny observable value for app-wide state (connection, killswitch, toasts) and a hook to read it.
import { useEffect, useState } from 'preact/hooks'

export interface Store<T> {
  get: () => T
  set: (value: T) => void
  subscribe: (fn: (value: T) => void) => () => void
}

export function createStore<T> (initial: T): Store<T> {
  let value = initial
  const listeners = new Set<(value: T) => void>()
  return {
    get: () => value,
    set (next) {
      value = next
      for (const fn of listeners) fn(value)
    },
    subscribe (fn) {
      listeners.add(fn)
      return () => { listeners.delete(fn) }
    }
  }
}

export function useStore<T> (store: Store<T>): T {
  const [value, setValue] = useState(store.get)
  useEffect(() => {
    setValue(store.get())
    return store.subscribe(setValue)
  }, [store])
  return value
}
