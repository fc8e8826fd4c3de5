/**
 * Notices, contacts and contact methods (issue 13, seed 001): the shapes operations answer and
 * faces encode, and the job kinds that deliver a notice.
 */

/** An entry of a catalogue (seed 001's ContactNoticeType, ContactMethod). */
export interface CatalogueEntry {
  id: number
  code: string
  name: string
}

/** The contact methods Clientele knows (the `contact_methods` catalogue's codes). */
export type ContactMethodCode = 'email' | 'sms' | 'webhook'

/** A notice as one customer sees it (seed 001's CustomerNotice). */
export interface CustomerNotice {
  id: number
  /** The customer it concerns; null for a subtree-wide ("global") notice. */
  orgId: string | null
  global: boolean
  /** The organisation that wrote it (the master or a reseller). */
  authorOrgId: string
  noticeTypeId: number
  noticeType: string
  subject: string
  body: string
  /** ISO 8601 UTC. */
  createdAt: string
  updatedAt: string
  /** Whether the customer the list was asked for acknowledged it (null: not acknowledged). */
  acknowledged: boolean
  acknowledgedAt: string | null
}

/** A contact method of a contact (seed 001's CustomerContactMethod). */
export interface ContactMethodLink {
  id: number
  contactId: number
  methodId: number
  method: ContactMethodCode
  address: string
  options: Record<string, string>
  createdAt: string
  /** Its subscriptions to notice types. */
  notices: { id: number; noticeTypeId: number; noticeType: string; options: Record<string, string> }[]
}

/** A contact of a customer, with its contact methods (seed 001's listContacts: "and related objects"). */
export interface Contact {
  id: number
  orgId: string
  name: string
  email: string | null
  phone: string | null
  createdAt: string
  updatedAt: string
  methods: ContactMethodLink[]
}

/** The job that fans a new notice out to every subscribed contact method, in batches. */
export const NOTICE_FANOUT_JOB_KIND = 'notice-fanout'
/** The job that POSTs a notice to one webhook contact method. */
export const NOTICE_WEBHOOK_JOB_KIND = 'notice-webhook'

/** What a `notice-fanout` job carries. */
export interface NoticeFanoutPayload {
  noticeId: number
}

/** What a `notice-webhook` job carries (the subject names the delivery row). */
export interface NoticeWebhookPayload {
  noticeId: number
  contactMethodId: number
  subject: string
}

/** How many contact methods a fan-out reads and queues per transaction. */
export const NOTICE_FANOUT_BATCH = 500

/** The message a delivery to an SMS contact method ends with: there is no gateway. */
export const SMS_UNDELIVERABLE = 'undeliverable: Clientele has no SMS gateway; the notice was not sent by SMS'

/** What a webhook contact method's sealed signing secret is bound to. */
export function webhookSecretAad(contactMethodId: number): string {
  return `contact-methods/${contactMethodId}/secret`
}
