// The audit filters (SPEC §10): time, service, actor, action, resource, outcome, trace. Applied on submit.
import { useState } from 'preact/hooks'
import { SERVICES } from '@robbie/contracts/fleet'
import { SelectField, TextField } from '../../components/fields.js'
import { NO_FILTERS, type Filters } from './types.js'

export function AuditFilters ({ value, onApply }: { value: Filters, onApply: (f: Filters) => void }) {
  const [f, setF] = useState(value)
  const set = (k: keyof Filters) => (v: string) => { setF({ ...f, [k]: v }) }
  return (
    <form class='card' role='search' aria-label='Filter the audit log' onSubmit={(e) => { e.preventDefault(); onApply(f) }}>
      <div class='filters'>
        <TextField label='From' type='datetime-local' value={f.from} onValue={set('from')} />
        <TextField label='To' type='datetime-local' value={f.to} onValue={set('to')} />
        <SelectField
          label='Service' value={f.service} onValue={set('service')}
          options={[{ value: '', label: 'Every service' }, ...SERVICES.map((s) => ({ value: s, label: s }))]}
        />
        <TextField label='Actor id' value={f.actorId} onValue={set('actorId')} maxLength={200} />
        <TextField label='Action' value={f.action} onValue={set('action')} maxLength={100} placeholder='e.g. secrets.reveal' />
        <TextField label='Resource type' value={f.resourceType} onValue={set('resourceType')} maxLength={100} />
        <TextField label='Resource id' value={f.resourceId} onValue={set('resourceId')} maxLength={300} />
        <SelectField
          label='Outcome' value={f.outcome} onValue={set('outcome')} options={[
            { value: '', label: 'Any outcome' }, { value: 'success', label: 'success' }, { value: 'denied', label: 'denied' }, { value: 'failed', label: 'failed' }
          ]}
        />
        <TextField label='Trace id' value={f.traceId} onValue={set('traceId')} maxLength={128} />
      </div>
      <div class='row'>
        <button type='submit' class='btn btn-primary'>Apply filters</button>
        <button type='button' class='btn' onClick={() => { setF(NO_FILTERS); onApply(NO_FILTERS) }}>Clear</button>
      </div>
    </form>
  )
}
