// Robbie's face: robbie-<mood>.png, or the mood's emoji when the image cannot load (SPEC §3.3).
import { useState } from 'preact/hooks'
import { MOOD_EMOJI, type Mood } from '../lib/mood.js'

export function Avatar ({ mood, reason, size = 36 }: { mood: Mood, reason: string, size?: number }) {
  const [failed, setFailed] = useState<Mood | null>(null)
  const label = `Robbie is ${mood}`
  if (failed === mood) {
    return <span class='avatar avatar-emoji' role='img' aria-label={label} title={reason}>{MOOD_EMOJI[mood]}</span>
  }
  return (
    <img
      class='avatar' src={`/robbie-${mood}.png`} width={size} height={size} alt={label} title={reason}
      onError={() => { setFailed(mood) }}
    />
  )
}
