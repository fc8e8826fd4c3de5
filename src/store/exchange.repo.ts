/**
 * Distribution groups (with their member lists) and contacts of a customer service, as stored
 * (`exchange_groups`, `exchange_group_members`, `exchange_contacts`). Knows SQL and nothing of
 * actors or rules: see src/ops/exchange/.
 */
import { sql } from 'kysely'
import type { Db } from './store.js'
import type { ExchangeContactTable, ExchangeGroupTable } from './schema.js'
import { CONTACT_TEXT_FIELDS, GROUP_LISTS, type Contact, type DistributionGroup, type GroupList, type GroupMember } from '../core/exchange.js'

export type ExchangeGroupRow = ExchangeGroupTable
export type ExchangeContactRow = ExchangeContactTable

/** The stored `kind` of each list. */
export const LIST_KIND: Record<GroupList, string> = {
  owners: 'owner',
  members: 'member',
  sendAsMembers: 'sendas',
  sendRestrictionAcceptedMembers: 'accepted',
  sendRestrictionRejectedMembers: 'rejected',
}

/** Maps a stored group to the core's (lists left out). */
export function toGroup(r: ExchangeGroupRow): DistributionGroup {
  return {
    id: r.id,
    displayName: r.display_name,
    syncObjectId: r.sync_object_id,
    enabled: r.enabled === 1,
    path: r.path,
    email: r.email,
    emailAlias: r.email_alias,
    mailTip: r.mail_tip,
    groupType: r.group_type,
    hideFromAddressLists: r.hide_from_address_lists === 1,
    requireSenderAuthentication: r.require_sender_authentication === 1,
    memberJoinRestriction: r.member_join_restriction,
    memberDepartRestriction: r.member_depart_restriction,
    sendModerationNotifications: r.send_moderation_notifications,
    emailAddresses: JSON.parse(r.email_addresses) as string[],
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  }
}

/** Maps a stored contact to the core's. */
export function toContact(r: ExchangeContactRow): Contact {
  const f = JSON.parse(r.fields) as Record<string, string>
  const c = {
    id: r.id,
    displayName: r.display_name,
    syncObjectId: r.sync_object_id,
    enabled: r.enabled === 1,
    path: r.path,
    hideFromAddressLists: r.hide_from_address_lists === 1,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  } as Contact
  for (const k of CONTACT_TEXT_FIELDS) c[k] = f[k] ?? ''
  return c
}

/** A prefix filter on a lower-cased key column: `substr(key, 1, n) = prefix` (no LIKE, so no escaping). */
function prefixOf(col: string, prefix: string) {
  return sql<boolean>`substr(${sql.ref(col)}, 1, ${prefix.length}) = ${prefix}`
}

/** Which rows a listing takes: lower-cased prefixes of their keys (absent or '': no filter). */
export interface ExchangeFilter {
  nameKeyPrefix?: string | undefined
  /** The e-mail key for groups, the sync key for contacts. */
  otherKeyPrefix?: string | undefined
}

/** Counts and lists one page of a customer service's groups, by display name. */
export async function listGroupRows(db: Db, csId: string, f: ExchangeFilter, offset: number, limit: number): Promise<{ rows: ExchangeGroupRow[]; total: number }> {
  let q = db.selectFrom('exchange_groups').where('customer_service_id', '=', csId)
  if (f.nameKeyPrefix) q = q.where(prefixOf('display_name_key', f.nameKeyPrefix))
  if (f.otherKeyPrefix) q = q.where(prefixOf('email_key', f.otherKeyPrefix))
  const { n } = await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()
  const rows = await q.selectAll().orderBy('display_name_key').orderBy('id').limit(limit).offset(offset).execute()
  return { rows, total: Number(n) }
}

/** Counts and lists one page of a customer service's contacts, by display name. */
export async function listContactRows(db: Db, csId: string, f: ExchangeFilter, offset: number, limit: number): Promise<{ rows: ExchangeContactRow[]; total: number }> {
  let q = db.selectFrom('exchange_contacts').where('customer_service_id', '=', csId)
  if (f.nameKeyPrefix) q = q.where(prefixOf('display_name_key', f.nameKeyPrefix))
  if (f.otherKeyPrefix) q = q.where(prefixOf('sync_key', f.otherKeyPrefix))
  const { n } = await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()
  const rows = await q.selectAll().orderBy('display_name_key').orderBy('id').limit(limit).offset(offset).execute()
  return { rows, total: Number(n) }
}

/** How an object is looked up: by id, sync object id, path or display name (case-insensitive); the first given decides. */
export interface ExchangeRef {
  id?: string | undefined
  syncObjectId?: string | undefined
  path?: string | undefined
  displayName?: string | undefined
}

/** Finds a group of a customer service by `ref`. */
export async function findGroupRow(db: Db, csId: string, ref: ExchangeRef): Promise<ExchangeGroupRow | undefined> {
  const q = db.selectFrom('exchange_groups').selectAll().where('customer_service_id', '=', csId)
  if (ref.id) return q.where('id', '=', ref.id).executeTakeFirst()
  if (ref.syncObjectId) return q.where('sync_object_id', '=', ref.syncObjectId).orderBy('id').executeTakeFirst()
  if (ref.path) return q.where('path', '=', ref.path).orderBy('id').executeTakeFirst()
  if (ref.displayName) return q.where('display_name_key', '=', ref.displayName.toLowerCase()).executeTakeFirst()
  return undefined
}

/** Finds a contact of a customer service by `ref`. */
export async function findContactRow(db: Db, csId: string, ref: ExchangeRef): Promise<ExchangeContactRow | undefined> {
  const q = db.selectFrom('exchange_contacts').selectAll().where('customer_service_id', '=', csId)
  if (ref.id) return q.where('id', '=', ref.id).executeTakeFirst()
  if (ref.syncObjectId) return q.where('sync_object_id', '=', ref.syncObjectId).orderBy('id').executeTakeFirst()
  if (ref.path) return q.where('path', '=', ref.path).orderBy('id').executeTakeFirst()
  if (ref.displayName) return q.where('display_name_key', '=', ref.displayName.toLowerCase()).executeTakeFirst()
  return undefined
}

/** Counts a customer service's groups or contacts. */
export async function countExchangeRows(db: Db, table: 'exchange_groups' | 'exchange_contacts', csId: string): Promise<number> {
  const { n } = await db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).where('customer_service_id', '=', csId).executeTakeFirstOrThrow()
  return Number(n)
}

export async function insertGroupRow(db: Db, row: ExchangeGroupRow): Promise<void> {
  await db.insertInto('exchange_groups').values(row).execute()
}

export async function updateGroupRow(db: Db, id: string, patch: Partial<Omit<ExchangeGroupRow, 'id' | 'customer_service_id'>>): Promise<void> {
  await db.updateTable('exchange_groups').set(patch).where('id', '=', id).execute()
}

/** Deletes a group with its lists. */
export async function deleteGroupRow(db: Db, id: string): Promise<void> {
  await db.deleteFrom('exchange_group_members').where('group_id', '=', id).execute()
  await db.deleteFrom('exchange_groups').where('id', '=', id).execute()
}

export async function insertContactRow(db: Db, row: ExchangeContactRow): Promise<void> {
  await db.insertInto('exchange_contacts').values(row).execute()
}

export async function updateContactRow(db: Db, id: string, patch: Partial<Omit<ExchangeContactRow, 'id' | 'customer_service_id'>>): Promise<void> {
  await db.updateTable('exchange_contacts').set(patch).where('id', '=', id).execute()
}

export async function deleteContactRow(db: Db, id: string): Promise<void> {
  await db.deleteFrom('exchange_contacts').where('id', '=', id).execute()
}

/** Reads the lists of the groups `ids`, in the order they were given. */
export async function readGroupLists(db: Db, ids: readonly string[]): Promise<Map<string, Record<GroupList, GroupMember[]>>> {
  const out = new Map<string, Record<GroupList, GroupMember[]>>()
  for (const id of ids) out.set(id, Object.fromEntries(GROUP_LISTS.map((l) => [l, []])) as unknown as Record<GroupList, GroupMember[]>)
  if (ids.length === 0) return out
  const byKind = new Map(GROUP_LISTS.map((l) => [LIST_KIND[l], l]))
  const rows = await db.selectFrom('exchange_group_members').selectAll().where('group_id', 'in', [...ids]).orderBy('id').execute()
  for (const r of rows) {
    const list = byKind.get(r.kind)
    if (!list) continue
    out.get(r.group_id)![list].push({ displayName: r.display_name, syncObjectId: r.sync_object_id, path: r.path, email: r.email, enabled: r.enabled === 1, userId: r.user_id })
  }
  return out
}

/** Replaces one list of a group. */
export async function replaceGroupList(db: Db, groupId: string, list: GroupList, entries: readonly GroupMember[]): Promise<void> {
  const kind = LIST_KIND[list]
  await db.deleteFrom('exchange_group_members').where('group_id', '=', groupId).where('kind', '=', kind).execute()
  if (entries.length === 0) return
  await db
    .insertInto('exchange_group_members')
    .values(
      entries.map((e) => ({
        group_id: groupId,
        kind,
        display_name: e.displayName,
        sync_object_id: e.syncObjectId,
        path: e.path,
        email: e.email,
        enabled: e.enabled ? 1 : 0,
        user_id: e.userId,
      })),
    )
    .execute()
}

/** Counts one list of a group. */
export async function countGroupList(db: Db, groupId: string, list: GroupList): Promise<number> {
  const { n } = await db
    .selectFrom('exchange_group_members')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('group_id', '=', groupId)
    .where('kind', '=', LIST_KIND[list])
    .executeTakeFirstOrThrow()
  return Number(n)
}

/** True when the user is on the member list of the group. */
export async function isUserMember(db: Db, groupId: string, userId: string): Promise<boolean> {
  const r = await db.selectFrom('exchange_group_members').select('id').where('group_id', '=', groupId).where('kind', '=', 'member').where('user_id', '=', userId).limit(1).executeTakeFirst()
  return r !== undefined
}

/** Adds a user to the member list of a group. */
export async function addUserMember(db: Db, groupId: string, m: GroupMember & { userId: string }): Promise<void> {
  await db
    .insertInto('exchange_group_members')
    .values({ group_id: groupId, kind: 'member', display_name: m.displayName, sync_object_id: m.syncObjectId, path: m.path, email: m.email, enabled: m.enabled ? 1 : 0, user_id: m.userId })
    .execute()
}

/** Removes a user from the member list of a group. */
export async function removeUserMember(db: Db, groupId: string, userId: string): Promise<void> {
  await db.deleteFrom('exchange_group_members').where('group_id', '=', groupId).where('kind', '=', 'member').where('user_id', '=', userId).execute()
}

/** Lists the groups of a customer service whose member list holds the user, by display name. */
export async function listUserGroupRows(db: Db, csId: string, userId: string): Promise<ExchangeGroupRow[]> {
  return db
    .selectFrom('exchange_groups')
    .selectAll()
    .where('customer_service_id', '=', csId)
    .where('id', 'in', db.selectFrom('exchange_group_members').select('group_id').where('user_id', '=', userId).where('kind', '=', 'member'))
    .orderBy('display_name_key')
    .execute()
}

