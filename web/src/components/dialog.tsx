// A modal dialog on the native <dialog>: the browser traps focus, makes the page behind inert and closes on Esc;
// we restore focus to whatever opened it. Give `title`; the first field (or `initialFocus`) gets focus.
import type { ComponentChildren } from 'preact'
import { useEffect, useId, useRef } from 'preact/hooks'

export interface DialogProps {
  open: boolean
  title: string
  onClose: () => void
  children: ComponentChildren
  /** buttons at the bottom; a Close button is added when omitted */
  actions?: ComponentChildren
  /** a short sentence under the title, read as the dialog's description */
  description?: ComponentChildren
  wide?: boolean
}

export function Dialog ({ open, title, onClose, children, actions, description, wide }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null)
  const opener = useRef<Element | null>(null)
  const titleId = useId()
  const descId = useId()

  useEffect(() => {
    const dialog = ref.current
    if (!dialog) return
    if (open && !dialog.open) {
      opener.current = document.activeElement
      dialog.showModal()
    } else if (!open && dialog.open) {
      dialog.close()
    }
  }, [open])

  useEffect(() => () => {
    // unmounted while open: hand focus back all the same
    if (opener.current instanceof HTMLElement) opener.current.focus()
  }, [])

  const onDialogClose = () => {
    if (opener.current instanceof HTMLElement && opener.current.isConnected) opener.current.focus()
    if (open) onClose()
  }

  return (
    <dialog
      ref={ref} class={wide ? 'dialog dialog-wide' : 'dialog'} aria-labelledby={titleId}
      aria-describedby={description ? descId : undefined} onClose={onDialogClose}
      onCancel={(e) => { e.preventDefault(); onClose() }}
    >
      {open && (
        <div class='dialog-body'>
          <h2 id={titleId} class='dialog-title'>{title}</h2>
          {description && <p id={descId} class='muted'>{description}</p>}
          {children}
          <div class='dialog-actions'>
            {actions ?? <button type='button' class='btn' onClick={onClose}>Close</button>}
          </div>
        </div>
      )}
    </dialog>
  )
}

export interface ConfirmProps {
  open: boolean
  title: string
  children?: ComponentChildren
  confirmLabel: string
  danger?: boolean
  busy?: boolean
  onConfirm: () => void | Promise<void>
  onClose: () => void
}

/** "Are you sure?" with the action named on the button. */
export function Confirm ({ open, title, children, confirmLabel, danger, busy, onConfirm, onClose }: ConfirmProps) {
  return (
    <Dialog
      open={open} title={title} onClose={onClose} actions={
        <>
          <button type='button' class='btn' onClick={onClose} autoFocus>Cancel</button>
          <button
            type='button' class={danger ? 'btn btn-danger' : 'btn btn-primary'} disabled={busy}
            onClick={() => { void onConfirm() }}
          >{confirmLabel}
          </button>
        </>
    }
    >
      {children}
    </Dialog>
  )
}
