// Request and response schemas of the notes routes (SPEC §3.8). Every string bounded, unknown fields refused.
import { Type, type Static } from 'typebox'
import { Id, IsoDateTime, Page, Str } from '@robbie/contracts'

export const Category = Type.Union([
  Type.Literal('intel'), Type.Literal('reference'), Type.Literal('drafts'), Type.Literal('connections'), Type.Literal('ideas')
])
export type Category = Static<typeof Category>
export const Author = Type.Union([Type.Literal('user'), Type.Literal('robbie')])
export type Author = Static<typeof Author>
export const NoteVisibility = Type.Union([Type.Literal('private'), Type.Literal('company')])
export type NoteVisibility = Static<typeof NoteVisibility>

export const SourceRef = Type.Object({ type: Str(40, 1), id: Str(200, 1), url: Type.Optional(Str(2000, 1)) }, { additionalProperties: false })
export type SourceRef = Static<typeof SourceRef>
const Tags = Type.Array(Str(50, 1), { maxItems: 20 })

export const CreateNoteBody = Type.Object({
  title: Str(200, 1),
  content: Type.Optional(Str(20000)),
  category: Type.Optional(Category),
  visibility: Type.Optional(NoteVisibility),
  locked: Type.Optional(Type.Boolean()),
  tags: Type.Optional(Tags),
  sourceRef: Type.Optional(Type.Union([SourceRef, Type.Null()])),
  expiresAt: Type.Optional(Type.Union([IsoDateTime, Type.Null()]))
}, { additionalProperties: false })
export type CreateNoteBody = Static<typeof CreateNoteBody>

export const PatchNoteBody = Type.Object({
  title: Type.Optional(Str(200, 1)),
  content: Type.Optional(Str(20000)),
  category: Type.Optional(Category),
  visibility: Type.Optional(NoteVisibility),
  locked: Type.Optional(Type.Boolean()),
  tags: Type.Optional(Tags),
  sourceRef: Type.Optional(Type.Union([SourceRef, Type.Null()])),
  expiresAt: Type.Optional(Type.Union([IsoDateTime, Type.Null()]))
}, { additionalProperties: false, minProperties: 1 })
export type PatchNoteBody = Static<typeof PatchNoteBody>

export const ListNotesQuery = Type.Object({
  category: Type.Optional(Category),
  author: Type.Optional(Author),
  q: Type.Optional(Str(200, 1)),
  limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
  cursor: Type.Optional(Str(512, 1))
}, { additionalProperties: false })
export type ListNotesQuery = Static<typeof ListNotesQuery>

export const NoteParams = Type.Object({ id: Id }, { additionalProperties: false })

export const NoteView = Type.Object({
  id: Type.String(),
  userId: Type.String(),
  title: Type.String(),
  content: Type.String(),
  category: Category,
  author: Author,
  visibility: NoteVisibility,
  locked: Type.Boolean(),
  tags: Type.Array(Type.String()),
  sourceRef: Type.Union([SourceRef, Type.Null()]),
  expiresAt: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String(),
  updatedAt: Type.String()
}, { additionalProperties: false })
export type NoteView = Static<typeof NoteView>
export const NotePage = Page(NoteView)
