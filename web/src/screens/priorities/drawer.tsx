// A side drawer on the native <dialog> (focus is trapped, Esc closes, focus returns to the opener).
import type { ComponentChildren } from 'preact'
import { useEffect, useId, useRef } from 'preact/hooks'

export function Drawer ({ open, title, onClose, children }: { open: boolean, title: string, onClose: () => void, children: ComponentChildren }) {
  const ref = useRef<HTMLDialogElement>(null)
  const opener = useRef<Element | null>(null)
  const titleId = useId()
  useEffect(() => {
    const d = ref.current
    if (!d) return
    if (open && !d.open) { opener.current = document.activeElement; d.showModal() } else if (!open && d.open) d.close()
  }, [open])
  const closed = () => {
    if (opener.current instanceof HTMLElement && opener.current.isConnected) opener.current.focus()
    if (open) onClose()
  }
  return (
    <dialog ref={ref} class='drawer' aria-labelledby={titleId} onClose={closed} onCancel={(e) => { e.preventDefault(); onClose() }}>
      {open && (
        <div class='drawer-body'>
          <div class='row'>
            <h2 id={titleId} class='drawer-title'>{title}</h2>
            <button type='button' class='btn btn-ghost btn-small drawer-close' onClick={onClose}>Close</button>
          </div>
          {children}
        </div>
      )}
    </dialog>
  )
}
