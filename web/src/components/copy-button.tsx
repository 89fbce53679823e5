// Copies a value (a new API key, an invite link). The clipboard can be refused (no permission, not focused):
// then the text is selected in its field so the user can copy it by hand.
import { toast } from '../lib/toasts.js'

export function CopyButton ({ value, label = 'Copy', fieldId }: { value: string, label?: string, fieldId?: string }) {
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value)
      toast('Copied to the clipboard')
    } catch {
      const field = fieldId ? document.getElementById(fieldId) : null
      if (field instanceof HTMLInputElement || field instanceof HTMLTextAreaElement) {
        field.focus()
        field.select()
      }
      toast('Copying was blocked: the text is selected, press Ctrl+C', 'info')
    }
  }
  return <button type='button' class='btn btn-small' onClick={() => { void copy() }}>{label}</button>
}
