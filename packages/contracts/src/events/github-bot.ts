// Payloads of the github-bot events priorities consumes (SPEC §9, §12). The producer comes in the bots wave.
import { Type, type Static } from 'typebox'
import { Id, IsoDateTime, Str } from '../primitives.js'

/** `owner/name` */
const Repo = Type.String({ pattern: '^[A-Za-z0-9_.-]{1,100}/[A-Za-z0-9_.-]{1,100}$', maxLength: 201 })
const Url = Str(2048, 1)
const IssueNumber = Type.Integer({ minimum: 1 })

export const AlertKind = Type.Union([Type.Literal('dependabot'), Type.Literal('code_scanning'), Type.Literal('secret_scanning')])
/** GitHub's own words: Dependabot/secret scanning severities, code scanning's security severity or error/warning/note. */
export const AlertSeverity = Type.Union(['critical', 'high', 'medium', 'moderate', 'low', 'error', 'warning', 'note'].map((s) => Type.Literal(s)))

export const AlertOpenedV1 = Type.Object({
  /** github-bot's stable id for the alert (repo + kind + number) */
  alertId: Str(200, 1),
  repo: Repo,
  kind: AlertKind,
  number: IssueNumber,
  severity: AlertSeverity,
  /** the tail of the task title: "<package> (<severity>) — <summary>", "<rule> in <repo>", "<type> in <repo>" */
  summary: Str(250, 1),
  url: Url,
  slaDueAt: IsoDateTime,
  assigneeUserId: Type.Union([Id, Type.Null()]),
  publiclyLeaked: Type.Boolean()
})
export type AlertOpenedV1 = Static<typeof AlertOpenedV1>

export const AlertResolvedV1 = Type.Object({ alertId: Str(200, 1) })
export type AlertResolvedV1 = Static<typeof AlertResolvedV1>

export const ReviewV1 = Type.Object({ repo: Repo, number: IssueNumber, title: Str(256), url: Url, reviewerUserId: Id })
export type ReviewV1 = Static<typeof ReviewV1>

export const IssueAssignmentV1 = Type.Object({ repo: Repo, number: IssueNumber, title: Str(256), url: Url, assigneeUserId: Id })
export type IssueAssignmentV1 = Static<typeof IssueAssignmentV1>
