// Add a secret or rotate its value (PUT /api/secrets/entries/:service/:name). The value is write-only: it is
// never loaded back into the form. An update carries ifVersion so two editors cannot overwrite each other.
import { useState } from 'preact/hooks'
import { api, ApiError, errorMessage } from '../../lib/api.js'
import { Dialog } from '../../components/dialog.js'
import { SelectField, TextArea, TextField } from '../../components/fields.js'
import { entryPath, label, type ScopeName, type SecretItem } from './types.js'

export function SecretEditor ({ existing, isOwner, onClose, onSaved }: { existing: SecretItem | null, isOwner: boolean, onClose: () => void, onSaved: (s: SecretItem) => void }) {
  const [service, setService] = useState(existing?.service ?? '')
  const [name, setName] = useState(existing?.name ?? '')
  const [scope, setScope] = useState<ScopeName>(existing?.scope ?? 'global')
  const [scopeId, setScopeId] = useState(existing?.scopeId ?? '')
  const [value, setValue] = useState('')
  const [description, setDescription] = useState(existing?.metadata.description ?? '')
  const [expires, setExpires] = useState(existing?.expiresAt?.slice(0, 10) ?? '')
  const [rotationDays, setRotationDays] = useState(existing?.rotationIntervalDays ? String(existing.rotationIntervalDays) : '')
  const [visibility, setVisibility] = useState(existing?.visibility ?? 'company')
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)

  const submit = async (e: Event) => {
    e.preventDefault()
    setBusy(true)
    setError(null)
    try {
      const body = {
        value,
        metadata: { ...existing?.metadata, ...(description.trim() ? { description: description.trim() } : {}) },
        expiresAt: expires ? new Date(`${expires}T00:00:00Z`).toISOString() : null,
        rotationIntervalDays: rotationDays ? Number(rotationDays) : null,
        visibility,
        ...(existing ? { ifVersion: existing.version } : {})
      }
      const addr = { service: service.trim(), name: name.trim(), scope, scopeId: scope === 'global' ? '' : scopeId.trim() }
      onSaved(await api<SecretItem>('PUT', entryPath(addr), body))
    } catch (err) {
      setError(err instanceof ApiError && err.code === 'SECRETS_VERSION_CONFLICT'
        ? 'Someone changed this secret meanwhile. Close, reload and try again.'
        : errorMessage(err))
    } finally {
      setBusy(false)
    }
  }

  return (
    <Dialog
      open title={existing ? `Rotate ${label(existing)}` : 'Add a secret'} onClose={onClose} wide actions={
        <>
          <button type='button' class='btn' onClick={onClose}>Cancel</button>
          <button type='submit' form='secret-form' class='btn btn-primary' disabled={busy || !value || !service.trim() || !name.trim()}>
            {existing ? 'Save new version' : 'Add secret'}
          </button>
        </>
    }
    >
      <form id='secret-form' onSubmit={(e) => { void submit(e) }}>
        <div class='grid-2'>
          <TextField label='Service' value={service} onValue={setService} required maxLength={40} readOnly={!!existing} spellcheck={false} hint='Lowercase, e.g. smtp, google, ollama.' />
          <TextField label='Name' value={name} onValue={setName} required maxLength={80} readOnly={!!existing} spellcheck={false} hint='Lowercase, e.g. password, api-key.' />
          {!existing && (
            <SelectField
              label='Scope' value={scope} onValue={(v) => { setScope(v as ScopeName) }} options={[
                { value: 'global', label: 'Global (installation default)' }, { value: 'company', label: 'Company' }, { value: 'node', label: 'One GPU node' }
              ]}
            />
          )}
          {!existing && scope !== 'global' && (
            <TextField label={scope === 'node' ? 'Node name' : 'Company slug'} value={scopeId} onValue={setScopeId} required maxLength={100} />
          )}
        </div>
        <TextArea
          label={existing ? 'New value' : 'Value'} value={value} onValue={setValue} required maxLength={65536} rows={3} spellcheck={false}
          autoComplete='off' hint='Write-only: Robbie encrypts it and never shows it here again. Use Reveal to read it.'
        />
        <TextField label='Description' value={description} onValue={setDescription} maxLength={2000} />
        <div class='grid-2'>
          <TextField label='Expires on' type='date' value={expires} onValue={setExpires} hint='Optional; a task appears 14 days before.' />
          <TextField label='Rotate every (days)' type='number' min={1} max={730} value={rotationDays} onValue={setRotationDays} hint='Optional, 1–730.' />
        </div>
        {isOwner && (
          <SelectField
            label='Who may reveal it' value={visibility} onValue={(v) => { setVisibility(v as 'company' | 'owner') }} options={[
              { value: 'company', label: 'Owner and admins' }, { value: 'owner', label: 'Only the owner' }
            ]}
          />
        )}
        {error && <p class='field-error' role='alert'>{error}</p>}
      </form>
    </Dialog>
  )
}
