// Labelled form controls: every input has a <label>, hints and errors are tied to it with aria-describedby.
import type { ComponentChildren } from 'preact'
import { useId } from 'preact/hooks'

interface Common {
  label: string
  hint?: ComponentChildren
  error?: string | null
}

function Described ({ id, hint, error }: { id: string, hint?: ComponentChildren, error?: string | null }) {
  return (
    <>
      {hint && <p id={`${id}-hint`} class='field-hint'>{hint}</p>}
      {error && <p id={`${id}-error`} class='field-error' role='alert'>{error}</p>}
    </>
  )
}

const describedBy = (id: string, hint: unknown, error: unknown): string | undefined =>
  [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined

/** The plain attributes a field passes on to its control. */
interface Attrs {
  name?: string
  required?: boolean
  disabled?: boolean
  readOnly?: boolean
  maxLength?: number
  minLength?: number
  placeholder?: string
  autoComplete?: string
  autoFocus?: boolean
  spellcheck?: boolean
  class?: string
}

type InputProps = Common & Attrs & {
  value: string
  onValue: (value: string) => void
  type?: 'text' | 'email' | 'password' | 'url' | 'number' | 'search' | 'datetime-local' | 'date'
  inputMode?: 'text' | 'numeric' | 'email' | 'url' | 'search'
  min?: number | string
  max?: number | string
  step?: number
  pattern?: string
  id?: string
}

export function TextField ({ label, hint, error, value, onValue, class: cls, id: given, type = 'text', ...rest }: InputProps) {
  const generated = useId()
  const id = given ?? generated
  return (
    <div class={`field ${(cls as string | undefined) ?? ''}`}>
      <label for={id}>{label}</label>
      <input
        id={id} type={type as 'text'} value={value} onInput={(e) => { onValue(e.currentTarget.value) }}
        aria-invalid={error ? true : undefined} aria-describedby={describedBy(id, hint, error)} {...(rest as object)}
      />
      <Described id={id} hint={hint} error={error} />
    </div>
  )
}

type AreaProps = Common & Attrs & {
  value: string
  onValue: (value: string) => void
  rows?: number
  id?: string
}

export function TextArea ({ label, hint, error, value, onValue, id: given, ...rest }: AreaProps) {
  const generated = useId()
  const id = given ?? generated
  return (
    <div class='field'>
      <label for={id}>{label}</label>
      <textarea
        id={id} value={value} onInput={(e) => { onValue(e.currentTarget.value) }}
        aria-invalid={error ? true : undefined} aria-describedby={describedBy(id, hint, error)} {...rest}
      />
      <Described id={id} hint={hint} error={error} />
    </div>
  )
}

type SelectProps = Common & Pick<Attrs, 'name' | 'required' | 'disabled'> & {
  value: string
  onValue: (value: string) => void
  options: Array<{ value: string, label: string }>
}

export function SelectField ({ label, hint, error, value, onValue, options, ...rest }: SelectProps) {
  const id = useId()
  return (
    <div class='field'>
      <label for={id}>{label}</label>
      <select
        id={id} value={value} onChange={(e) => { onValue(e.currentTarget.value) }}
        aria-describedby={describedBy(id, hint, error)} {...rest}
      >
        {options.map((o) => <option key={o.value} value={o.value}>{o.label}</option>)}
      </select>
      <Described id={id} hint={hint} error={error} />
    </div>
  )
}

/** An on/off switch: a checkbox with role="switch", so it reads "on"/"off". */
export function Switch ({ label, hint, checked, onChange, disabled }: { label: string, hint?: ComponentChildren, checked: boolean, onChange: (v: boolean) => void, disabled?: boolean }) {
  const id = useId()
  return (
    <div class='field field-switch'>
      <input
        id={id} type='checkbox' role='switch' checked={checked} disabled={disabled}
        onChange={(e) => { onChange(e.currentTarget.checked) }} aria-describedby={hint ? `${id}-hint` : undefined}
      />
      <label for={id}>{label}</label>
      {hint && <p id={`${id}-hint`} class='field-hint'>{hint}</p>}
    </div>
  )
}

/** A checkbox, e.g. one scope in the API-key scope picker. */
export function Checkbox ({ label, checked, onChange, disabled }: { label: ComponentChildren, checked: boolean, onChange: (v: boolean) => void, disabled?: boolean }) {
  return (
    <label class='checkbox'>
      <input type='checkbox' checked={checked} disabled={disabled} onChange={(e) => { onChange(e.currentTarget.checked) }} />
      <span>{label}</span>
    </label>
  )
}
