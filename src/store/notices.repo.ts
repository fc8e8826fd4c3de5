/**
 * Notices, acknowledgements, contacts, contact methods, subscriptions and deliveries (issue 13;
 * tables of migration 2026-12-07-0008). What a `notice-webhook` job's steps do to its delivery
 * row is the subject handler `notice-delivery` (registered in subjects.ts).
 */
import type { Db } from './store.js'
import type { JobSubjectHandler } from '../core/jobs.js'
import type { CatalogueEntry, ContactMethodCode } from '../core/notices.js'
import type { ContactMethodLinkTable, ContactTable, NoticeTable } from './schema.js'
import { subtreeRange } from './orgs.repo.js'

export type NoticeRow = Omit<NoticeTable, 'id'> & { id: number }
export type ContactRow = Omit<ContactTable, 'id'> & { id: number }
export type MethodLinkRow = Omit<ContactMethodLinkTable, 'id'> & { id: number; method: ContactMethodCode }

export async function listNoticeTypes(db: Db): Promise<CatalogueEntry[]> {
  return db.selectFrom('contact_notice_types').select(['id', 'code', 'name']).orderBy('id').execute()
}

export async function listContactMethodCatalogue(db: Db): Promise<CatalogueEntry[]> {
  return db.selectFrom('contact_methods').select(['id', 'code', 'name']).orderBy('id').execute()
}

export async function insertNotice(trx: Db, row: Omit<NoticeRow, 'id'>): Promise<number> {
  const r = await trx.insertInto('notices').values(row).returning('id').executeTakeFirstOrThrow()
  return Number(r.id)
}

export async function findNotice(db: Db, id: number): Promise<NoticeRow | undefined> {
  const r = await db.selectFrom('notices').selectAll().where('id', '=', id).executeTakeFirst()
  return r ? { ...r, id: Number(r.id) } : undefined
}

/** A notice with the acknowledgement of one organisation. */
export type VisibleNoticeRow = NoticeRow & { acknowledged_at: string | null }

/**
 * The notices an organisation (`orgId`, on `ancestorPaths`: its own path and each ancestor's)
 * sees: its own, and the subtree-wide ones written at any of those paths; changed at or after
 * `since` when given. Oldest first.
 */
export async function listVisibleNotices(db: Db, orgId: string, ancestorPaths: string[], since?: string): Promise<VisibleNoticeRow[]> {
  let q = db
    .selectFrom('notices as n')
    .leftJoin('notice_acks as a', (j) => j.onRef('a.notice_id', '=', 'n.id').on('a.org_id', '=', orgId))
    .selectAll('n')
    .select('a.acknowledged_at')
    .where((eb) => eb.or([eb('n.org_id', '=', orgId), eb.and([eb('n.org_id', 'is', null), eb('n.scope_path', 'in', ancestorPaths)])]))
  if (since !== undefined) q = q.where('n.updated_at', '>=', since)
  const rows = await q.orderBy('n.created_at').orderBy('n.id').execute()
  return rows.map((r) => ({ ...r, id: Number(r.id) }))
}

/** Records that `orgId` acknowledged notice `noticeId` (a second time keeps the first). */
export async function insertNoticeAck(trx: Db, noticeId: number, orgId: string, at: string): Promise<void> {
  await trx
    .insertInto('notice_acks')
    .values({ notice_id: noticeId, org_id: orgId, acknowledged_at: at })
    .onConflict((oc) => oc.columns(['notice_id', 'org_id']).doNothing())
    .execute()
}

export async function insertContact(trx: Db, row: Omit<ContactRow, 'id'>): Promise<number> {
  const r = await trx.insertInto('contacts').values(row).returning('id').executeTakeFirstOrThrow()
  return Number(r.id)
}

export async function findContact(db: Db, id: number): Promise<ContactRow | undefined> {
  const r = await db.selectFrom('contacts').selectAll().where('id', '=', id).executeTakeFirst()
  return r ? { ...r, id: Number(r.id) } : undefined
}

export async function updateContactRow(trx: Db, id: number, patch: Partial<Pick<ContactRow, 'name' | 'email' | 'phone' | 'updated_at'>>): Promise<void> {
  await trx.updateTable('contacts').set(patch).where('id', '=', id).execute()
}

/** Deletes a contact, its contact methods and their subscriptions. */
export async function deleteContactRow(trx: Db, id: number): Promise<void> {
  const links = trx.selectFrom('contact_method_links').select('id').where('contact_id', '=', id)
  await trx.deleteFrom('contact_method_notices').where('contact_method_id', 'in', links).execute()
  await trx.deleteFrom('contact_method_links').where('contact_id', '=', id).execute()
  await trx.deleteFrom('contacts').where('id', '=', id).execute()
}

export async function listContactRows(db: Db, orgId: string): Promise<ContactRow[]> {
  const rows = await db.selectFrom('contacts').selectAll().where('org_id', '=', orgId).orderBy('id').execute()
  return rows.map((r) => ({ ...r, id: Number(r.id) }))
}

const linkColumns = ['l.id', 'l.contact_id', 'l.org_id', 'l.method_id', 'l.address', 'l.options', 'l.secret', 'l.created_at', 'm.code as method'] as const

export async function listMethodLinks(db: Db, orgId: string): Promise<MethodLinkRow[]> {
  const rows = await db
    .selectFrom('contact_method_links as l')
    .innerJoin('contact_methods as m', 'm.id', 'l.method_id')
    .select(linkColumns)
    .where('l.org_id', '=', orgId)
    .orderBy('l.id')
    .execute()
  return rows.map((r) => ({ ...r, id: Number(r.id), contact_id: Number(r.contact_id), method: r.method as ContactMethodCode }))
}

export async function findMethodLink(db: Db, id: number): Promise<MethodLinkRow | undefined> {
  const r = await db
    .selectFrom('contact_method_links as l')
    .innerJoin('contact_methods as m', 'm.id', 'l.method_id')
    .select(linkColumns)
    .where('l.id', '=', id)
    .executeTakeFirst()
  return r ? { ...r, id: Number(r.id), contact_id: Number(r.contact_id), method: r.method as ContactMethodCode } : undefined
}

export async function insertMethodLink(trx: Db, row: Omit<ContactMethodLinkTable, 'id'>): Promise<number> {
  const r = await trx.insertInto('contact_method_links').values(row).returning('id').executeTakeFirstOrThrow()
  return Number(r.id)
}

export async function deleteMethodLink(trx: Db, id: number): Promise<void> {
  await trx.deleteFrom('contact_method_notices').where('contact_method_id', '=', id).execute()
  await trx.deleteFrom('contact_method_links').where('id', '=', id).execute()
}

export interface MethodNoticeRow {
  id: number
  contact_method_id: number
  notice_type_id: number
  notice_type: string
  options: string
  org_id: string
}

export async function listMethodNotices(db: Db, orgId: string): Promise<MethodNoticeRow[]> {
  const rows = await db
    .selectFrom('contact_method_notices as s')
    .innerJoin('contact_method_links as l', 'l.id', 's.contact_method_id')
    .innerJoin('contact_notice_types as t', 't.id', 's.notice_type_id')
    .select(['s.id', 's.contact_method_id', 's.notice_type_id', 't.code as notice_type', 's.options', 'l.org_id'])
    .where('l.org_id', '=', orgId)
    .orderBy('s.id')
    .execute()
  return rows.map((r) => ({ ...r, id: Number(r.id), contact_method_id: Number(r.contact_method_id) }))
}

export async function findMethodNotice(db: Db, id: number): Promise<MethodNoticeRow | undefined> {
  const r = await db
    .selectFrom('contact_method_notices as s')
    .innerJoin('contact_method_links as l', 'l.id', 's.contact_method_id')
    .innerJoin('contact_notice_types as t', 't.id', 's.notice_type_id')
    .select(['s.id', 's.contact_method_id', 's.notice_type_id', 't.code as notice_type', 's.options', 'l.org_id'])
    .where('s.id', '=', id)
    .executeTakeFirst()
  return r ? { ...r, id: Number(r.id), contact_method_id: Number(r.contact_method_id) } : undefined
}

export async function insertMethodNotice(trx: Db, row: { contact_method_id: number; notice_type_id: number; options: string; created_at: string }): Promise<number> {
  const r = await trx.insertInto('contact_method_notices').values(row).returning('id').executeTakeFirstOrThrow()
  return Number(r.id)
}

export async function deleteMethodNoticeRow(trx: Db, id: number): Promise<void> {
  await trx.deleteFrom('contact_method_notices').where('id', '=', id).execute()
}

/** A contact method a notice reaches. */
export interface FanoutTarget {
  id: number
  org_id: string
  method: ContactMethodCode
  address: string
}

/**
 * The next `limit` contact methods after `afterId` (by id) subscribed to the notice's type, of
 * the live organisations the notice reaches: its customer, or every organisation under its
 * scope path.
 */
export async function listFanoutTargets(db: Db, notice: NoticeRow, afterId: number, limit: number): Promise<FanoutTarget[]> {
  let q = db
    .selectFrom('contact_method_links as l')
    .innerJoin('contact_method_notices as s', (j) => j.onRef('s.contact_method_id', '=', 'l.id').on('s.notice_type_id', '=', notice.notice_type_id))
    .innerJoin('contact_methods as m', 'm.id', 'l.method_id')
    .innerJoin('orgs as o', 'o.id', 'l.org_id')
    .select(['l.id', 'l.org_id', 'm.code as method', 'l.address'])
    .where('o.tombstone', '=', 0)
    .where('l.id', '>', afterId)
  if (notice.org_id !== null) q = q.where('l.org_id', '=', notice.org_id)
  else {
    const [lo, hi] = subtreeRange(notice.scope_path)
    q = q.where('o.path', '>=', lo).where('o.path', '<', hi)
  }
  const rows = await q.orderBy('l.id').limit(limit).execute()
  return rows.map((r) => ({ ...r, id: Number(r.id), method: r.method as ContactMethodCode }))
}

/**
 * Writes the delivery rows of `rows` that do not exist yet and answers the contact method ids
 * written (a fan-out repeated after a crash queues nothing twice).
 */
export async function insertDeliveries(
  trx: Db,
  noticeId: number,
  rows: { contactMethodId: number; method: string; state: string; error: string | null }[],
  at: string,
): Promise<Set<number>> {
  if (rows.length === 0) return new Set()
  const r = await trx
    .insertInto('notice_deliveries')
    .values(rows.map((d) => ({ notice_id: noticeId, contact_method_id: d.contactMethodId, method: d.method, state: d.state, error: d.error, updated_at: at })))
    .onConflict((oc) => oc.columns(['notice_id', 'contact_method_id']).doNothing())
    .returning('contact_method_id')
    .execute()
  return new Set(r.map((x) => Number(x.contact_method_id)))
}

export interface DeliveryRow {
  notice_id: number
  contact_method_id: number
  method: string
  state: string
  error: string | null
}

export async function listDeliveries(db: Db, noticeId: number): Promise<DeliveryRow[]> {
  const rows = await db.selectFrom('notice_deliveries').select(['notice_id', 'contact_method_id', 'method', 'state', 'error']).where('notice_id', '=', noticeId).orderBy('contact_method_id').execute()
  return rows.map((r) => ({ ...r, notice_id: Number(r.notice_id), contact_method_id: Number(r.contact_method_id) }))
}

/** What a `notice-webhook` job's steps do to its delivery row (`notice-delivery:<notice>:<method>`). */
const onDeliveryJob: JobSubjectHandler<Db> = async (trx, event, info) => {
  const [n, m] = info.id.split(':').map(Number)
  if (!Number.isSafeInteger(n) || !Number.isSafeInteger(m)) return
  const at = new Date(info.now).toISOString()
  const q = trx.updateTable('notice_deliveries').where('notice_id', '=', n!).where('contact_method_id', '=', m!)
  if (event === 'succeeded') await q.set({ state: 'sent', error: null, updated_at: at }).execute()
  else if (event === 'failed') await q.set({ state: 'failed', error: info.error ?? null, updated_at: at }).execute()
  else if (event === 'retry') await q.set({ error: info.error ?? null, updated_at: at }).execute()
}

export const noticeSubjectHandlers: Record<string, JobSubjectHandler<Db>> = { 'notice-delivery': onDeliveryJob }

/** Stores a webhook contact method's sealed signing secret. */
export async function setMethodLinkSecret(trx: Db, id: number, sealed: string): Promise<void> {
  await trx.updateTable('contact_method_links').set({ secret: sealed }).where('id', '=', id).execute()
}
