/**
 * The shapes of workflow approval (seed 004's approval providers and responses), shared by the
 * approval operations: the stored subscriptions, what an approval does when it is decided, and
 * the views every face is given.
 */
import { Type } from 'typebox'
import type { CustomerServiceBefore, UserServiceBefore } from '../../store/services.repo.js'

/** The provider of seed 004 that approves through each user's chain of managers. */
export const MANAGERS_PROVIDER = 'Workflow Managers'
/** The provider of seed 004 that approves through named groups of users. */
export const GROUPS_PROVIDER = 'Workflow Groups'

/**
 * What an event concerns: a user, a user's service, a customer's service (seed 004's tags), or
 * the customer itself (`customers`: its cancellation, seed 001's `requestCancellation`).
 */
export type ApprovalObject = 'users' | 'userservices' | 'services' | 'customers'
/** What happens to it (`Cancel`: only of `customers`). */
export type ApprovalAction = 'Provision' | 'Deprovision' | 'Cancel'
/**
 * A subscription's access level: `Object` subscribes the provider to the event, `None` removes
 * the subscription. (CSM's other levels are not accepted: `invalid_argument`.)
 */
export type ApprovalAccess = 'Object' | 'None'

/** An approval request's status. */
export type ApprovalStatus = 'Pending' | 'Accepted' | 'Rejected' | 'TimedOut'
/** One approver's response: `Closed` when the request ended before it answered. */
export type ResponseStatus = 'Pending' | 'Accepted' | 'Rejected' | 'TimedOut' | 'Closed'

/** One subscribed event as stored (`approval_providers.subscriptions` is a list of these). */
export interface StoredSubscription {
  object: ApprovalObject
  /** The service label (catalogue name or display name, or `All`); null for `users`. */
  label: string | null
  name: ApprovalAction
}

/** What an approval does when accepted, and how a refusal (or timeout) puts its subject back. */
export type Effect =
  | { kind: 'customer-service'; id: string; before: CustomerServiceBefore }
  | { kind: 'user-service'; id: string; before: UserServiceBefore }
  /** Accepting enables the user (as `enabled` asked) ; refusing deletes it. */
  | { kind: 'user-create'; userId: string; enabled: boolean }
  /** Accepting deletes the user (never an organisation's last); refusing keeps it. */
  | { kind: 'user-delete'; userId: string }
  /** Accepting approves the cancellation (ops/cancellations/); refusing rejects it. */
  | { kind: 'cancellation'; cancellationId: string }

const Action = Type.Union([Type.Literal('Provision'), Type.Literal('Deprovision')])
const Access = Type.Union([Type.Literal('Object'), Type.Literal('None')], { description: '`Object` subscribes; `None` removes the subscription' })
const Label = Type.String({ minLength: 1, maxLength: 200, description: "A catalogue service's name or display name (e.g. `Hosted Exchange`), or `All`" })
const Sub = Type.Object({ name: Action, access: Access }, { additionalProperties: false })
const LabelledSubs = Type.Object({ label: Label, subscriptions: Type.Array(Sub, { maxItems: 2 }) }, { additionalProperties: false })

/** Subscriptions as a SET gives them: only the tags named change (merge). */
export const SubscriptionsInput = Type.Object(
  {
    users: Type.Optional(Type.Array(Sub, { maxItems: 2 })),
    userServices: Type.Optional(Type.Array(LabelledSubs, { maxItems: 500 })),
    services: Type.Optional(Type.Array(LabelledSubs, { maxItems: 500 })),
    customers: Type.Optional(
      Type.Array(Type.Object({ name: Type.Literal('Cancel'), access: Access }, { additionalProperties: false }), {
        maxItems: 1,
        description: "`Cancel`: the customer's cancellation requests wait for approval",
      }),
    ),
  },
  { additionalProperties: false },
)

/** One subscribed event as answered (always `access: Object`). */
export interface SubscriptionView {
  name: 'Provision' | 'Deprovision'
  access: 'Object'
}

/** A provider's (or group's) subscriptions as answered: seed 004's `<subscriptions>`. */
export interface SubscriptionsView {
  users: SubscriptionView[]
  userServices: { label: string; subscriptions: SubscriptionView[] }[]
  services: { label: string; subscriptions: SubscriptionView[] }[]
  /** The customer's own events: `Cancel` when its cancellations need approval. */
  customers: { name: 'Cancel'; access: 'Object' }[]
}

/** A customer's approval providers (`approval_provider.get`). */
export interface ApprovalProvidersView {
  orgId: string
  /** "Workflow Managers": null until configured. */
  managers: {
    name: typeof MANAGERS_PROVIDER
    configuration: { managers: number; timeoutDays: number; reminderDays: number }
    subscriptions: SubscriptionsView
  } | null
  /** "Workflow Groups": its groups, by name. */
  groups: {
    name: string
    description: string
    configuration: { membersToApprove: number; timeoutDays: number; reminderDays: number }
    members: { userId: string; username: string; displayName: string }[]
    subscriptions: SubscriptionsView
  }[]
}

/** A person in an approval view (seed 004's `name`, `fullname`, `email`). */
export interface ApprovalPerson {
  id: string
  /** The username. */
  name: string
  fullname: string
  email: string
}

/** One approver's response (seed 004's `<subscription>`). */
export interface ApprovalSubscriptionView {
  /** The GUID an approver answers with (`approval.decide`). */
  id: string
  /** `Workflow Managers`, or the group's name. */
  provider: string
  requestDate: string
  resolvedDate: string | null
  status: ResponseStatus
  reason: string
  user: ApprovalPerson
}

/** One approval request (seed 004's `<approvalresponse>`). */
export interface ApprovalView {
  id: string
  /** The gated request (`GET /jobs/{requestGuid}`). */
  requestGuid: string | null
  /** E.g. `Provision User - Minnie Mouse`, `Provision Service - Hosted Exchange`. */
  description: string
  event: { object: ApprovalObject; action: ApprovalAction; label: string | null }
  status: ApprovalStatus
  requestDate: string
  resolvedDate: string | null
  /** The organisation concerned: `name` is its short code (seed 004), `fullname` its name. */
  customer: { id: string; name: string; fullname: string }
  requestedByUser: ApprovalPerson | null
  /** Every approver's response, or (user-level views) only that user's. */
  subscriptions: ApprovalSubscriptionView[]
}

/** `<object>.<action>[:<label>]`, as `approval_requests.event` stores it. */
export function eventKey(object: ApprovalObject, action: ApprovalAction, label: string | null): string {
  return `${object}.${action}${label !== null ? `:${label}` : ''}`
}

/** Parses `eventKey`'s text. */
export function parseEventKey(text: string): ApprovalView['event'] {
  const dot = text.indexOf('.')
  const colon = text.indexOf(':')
  const object = text.slice(0, dot) as ApprovalObject
  const action = text.slice(dot + 1, colon < 0 ? undefined : colon) as ApprovalAction
  return { object, action, label: colon < 0 ? null : text.slice(colon + 1) }
}

/** A person's full name, or the username when it has none. */
export function fullName(p: { first_name: string; last_name: string; username: string }): string {
  return [p.first_name, p.last_name].filter(Boolean).join(' ') || p.username
}
