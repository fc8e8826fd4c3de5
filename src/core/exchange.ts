/**
 * Hosted Exchange objects of a customer service (seed 004's `<distributiongroups>` and
 * `<contacts>`), as every layer sees them, and their bounds. Pure: no I/O.
 */

/** An entry of a group's member, owner, send-as or send-restriction list; `userId` when it is one of the customer's users. */
export interface GroupMember {
  displayName: string
  syncObjectId: string
  path: string
  email: string
  enabled: boolean
  userId: string | null
}

/** The lists a distribution group keeps, by their names in the core. */
export const GROUP_LISTS = ['owners', 'members', 'sendAsMembers', 'sendRestrictionAcceptedMembers', 'sendRestrictionRejectedMembers'] as const
export type GroupList = (typeof GROUP_LISTS)[number]

/** A distribution group. The lists are present only when asked for (`withMembers`). */
export interface DistributionGroup {
  id: string
  displayName: string
  syncObjectId: string
  enabled: boolean
  path: string
  email: string
  emailAlias: string
  mailTip: string
  groupType: string
  hideFromAddressLists: boolean
  requireSenderAuthentication: boolean
  memberJoinRestriction: string
  memberDepartRestriction: string
  sendModerationNotifications: string
  emailAddresses: string[]
  createdAt: string
  updatedAt: string
  owners?: GroupMember[]
  members?: GroupMember[]
  sendAsMembers?: GroupMember[]
  sendRestrictionAcceptedMembers?: GroupMember[]
  sendRestrictionRejectedMembers?: GroupMember[]
}

/** The text fields of a contact beyond its name, sync id and path. */
export const CONTACT_TEXT_FIELDS = [
  'email',
  'emailAlias',
  'firstName',
  'lastName',
  'initials',
  'jobTitle',
  'companyName',
  'businessPhone',
  'businessFax',
  'homePhone',
  'mobile',
  'webPage',
  'street',
  'city',
  'state',
  'country',
  'postcode',
] as const
export type ContactTextField = (typeof CONTACT_TEXT_FIELDS)[number]

/** A mail contact. */
export type Contact = {
  id: string
  displayName: string
  syncObjectId: string
  enabled: boolean
  path: string
  hideFromAddressLists: boolean
  createdAt: string
  updatedAt: string
} & Record<ContactTextField, string>

/** Distribution groups one customer service may hold. */
export const MAX_GROUPS = 10_000
/** Contacts one customer service may hold. */
export const MAX_CONTACTS = 10_000
/** Entries one list of a group may hold. */
export const MAX_GROUP_LIST = 1000
/** Addresses one group may have. */
export const MAX_EMAIL_ADDRESSES = 100
/** The largest page of a listing. */
export const MAX_PAGE_SIZE = 1000
/** The page size when none is given. */
export const DEFAULT_PAGE_SIZE = 100
