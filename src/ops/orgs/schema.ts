/**
 * Input fields of organisations, shared by the operations that create and update them.
 * Limits: names 1–200 characters, free text 1000, codes 1–16 of A–Z, 0–9, `-`, `_`.
 */
import { Type } from 'typebox'
import { MAX_SLACK_WEBHOOK_URL } from '../../core/org.js'

const text = (max: number) => Type.String({ maxLength: max })

export const OrgName = Type.String({ minLength: 1, maxLength: 200, pattern: '\\S' })
export const OrgCode = Type.String({ minLength: 1, maxLength: 16, pattern: '^[A-Za-z0-9_-]+$' })

/** Fields any creator or editor may set. */
export const OrgFields = {
  description: Type.Optional(text(1000)),
  address: Type.Optional(text(500)),
  city: Type.Optional(text(200)),
  country: Type.Optional(text(100)),
  contactName: Type.Optional(text(200)),
  contactEmail: Type.Optional(Type.Union([Type.Literal(''), Type.String({ format: 'email', maxLength: 254 })])),
  primaryDomain: Type.Optional(
    Type.Union([
      Type.Literal(''),
      Type.String({ maxLength: 253, pattern: '^(?=.{1,253}$)([A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.)*[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$' }),
    ]),
  ),
  /** Seed 000's retention policy for snapshots: a guid, or '' for none. */
  retentionPolicyGuid: Type.Optional(
    Type.Union([Type.Literal(''), Type.String({ pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$' })]),
  ),
  billingId: Type.Optional(text(200)),
  externalId: Type.Optional(text(200)),
  /** Free-form JSON: keys up to 200 characters, values nested at most 32 levels (core/text.ts), 16 KiB in all. */
  externalMetadata: Type.Optional(Type.Record(Type.String({ maxLength: 200 }), Type.Unknown(), { propertyNames: { maxLength: 200 } })),
  licensingEnabled: Type.Optional(Type.Boolean()),
  skinNames: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 50 })),
  locale: Type.Optional(Type.String({ minLength: 2, maxLength: 35, pattern: '^[A-Za-z]{2,8}([_-][A-Za-z0-9]{1,8})*$' })),
  enabled: Type.Optional(Type.Boolean()),
}

/**
 * Seed 003's `slackNotificationWebhookUrl` as given: the URL (checked by slack-webhook.ts), or
 * the document's `Unset` object, `{"unset": true}` clearing it.
 */
export const SlackWebhookInput = Type.Union([
  Type.String({ minLength: 1, maxLength: MAX_SLACK_WEBHOOK_URL }),
  Type.Object({ unset: Type.Boolean() }, { additionalProperties: false }),
])

export const OrgStatusInput = Type.Enum(['active', 'configured', 'suspended', 'disabled'] as const)

/** The statuses a new organisation may start in: in service, or set up and not yet in service. */
export const NewOrgStatusInput = Type.Enum(['active', 'configured'] as const)

/** The largest external metadata object accepted, serialised. */
export const MAX_METADATA_BYTES = 16 * 1024
