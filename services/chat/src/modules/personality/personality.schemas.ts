// Request and response schemas of the personality routes (SPEC §3.3). Sliders are integers 1–10; unknown
// fields are refused.
import { Type, type Static } from 'typebox'
import { Page, Str } from '@robbie/contracts'

const Slider = Type.Integer({ minimum: 1, maximum: 10 })
const SliderOut = Type.Integer()
const MoodSchema = Type.Union([
  Type.Literal('friendly'), Type.Literal('focused'), Type.Literal('playful'), Type.Literal('bossy'), Type.Literal('surprised'), Type.Literal('blushing')
])
const BandSchema = Type.Union([Type.Literal('low'), Type.Literal('middle'), Type.Literal('high')])
const SliderName = Type.Union([Type.Literal('gandhi'), Type.Literal('flirty'), Type.Literal('turbo'), Type.Literal('auto')])

const SlidersBody = Type.Object({ gandhi: Slider, flirty: Slider, turbo: Slider, auto: Slider }, { additionalProperties: false })

export const PersonalityView = Type.Object({
  gandhi: SliderOut,
  flirty: SliderOut,
  turbo: SliderOut,
  auto: SliderOut,
  preset: Type.Union([Type.String(), Type.Null()]),
  mood: MoodSchema,
  version: Type.Integer(),
  updatedAt: Type.String()
}, { additionalProperties: false })
export type PersonalityView = Static<typeof PersonalityView>

/** Values (any subset) or a preset, never both (the service says so with a detail). */
export const PersonalityChange = Type.Object({
  gandhi: Type.Optional(Slider),
  flirty: Type.Optional(Slider),
  turbo: Type.Optional(Slider),
  auto: Type.Optional(Slider),
  preset: Type.Optional(Str(40, 1))
}, { additionalProperties: false, minProperties: 1 })
export type PersonalityChange = Static<typeof PersonalityChange>

const PresetView = Type.Object({ name: Type.String(), gandhi: SliderOut, flirty: SliderOut, turbo: SliderOut, auto: SliderOut, mood: MoodSchema }, { additionalProperties: false })
export const PresetsReply = Page(PresetView)

export const PreviewBody = Type.Object({
  sliders: SlidersBody,
  compareWith: Type.Optional(SlidersBody),
  sample: Type.Optional(Type.Boolean())
}, { additionalProperties: false })
export type PreviewBody = Static<typeof PreviewBody>

const PreviewView = Type.Object({
  systemPrompt: Type.String(),
  fragments: Type.Array(Type.Object({ slider: SliderName, band: BandSchema, text: Type.String() }, { additionalProperties: false })),
  mood: MoodSchema,
  numPredict: Type.Integer(),
  autonomyThreshold: Type.Union([Type.Number(), Type.Null()]),
  fragmentsVersion: Type.Literal(1)
}, { additionalProperties: false })

export const PreviewReply = Type.Object({
  a: PreviewView,
  b: Type.Optional(PreviewView),
  diff: Type.Optional(Type.Array(Type.Object({
    op: Type.Union([Type.Literal(' '), Type.Literal('-'), Type.Literal('+')]),
    line: Type.String()
  }, { additionalProperties: false }))),
  sample: Type.Optional(Type.Union([
    Type.Object({ a: Type.String(), b: Type.Union([Type.String(), Type.Null()]) }, { additionalProperties: false }),
    Type.Null()
  ]))
}, { additionalProperties: false })
export type PreviewReply = Static<typeof PreviewReply>
