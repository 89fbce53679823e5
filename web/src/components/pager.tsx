// Cursor paging under a list: back to the first page, or on to the next one. The screen keeps
// the cursor in its state, so the list refetches when either button changes it.

export function Pager ({ cursor, next, onCursor }: { cursor: string | null, next: string | null | undefined, onCursor: (cursor: string | null) => void }) {
  return (
    <div class='row'>
      {cursor && <button type='button' class='btn btn-small' onClick={() => { onCursor(null) }}>First page</button>}
      {next && <button type='button' class='btn btn-small' onClick={() => { onCursor(next) }}>Next page</button>}
    </div>
  )
}
