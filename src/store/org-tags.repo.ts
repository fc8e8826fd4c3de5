/**
 * Organisations' tags (seed 003's `Tag`): a name unique within its organisation, and a colour.
 * Knows SQL and nothing of actors.
 */
import type { Selectable } from 'kysely'
import type { Db } from './store.js'
import type { OrgTagTable } from './schema.js'

/** A stored tag. */
export type OrgTagRow = Selectable<OrgTagTable>

/** Lists an organisation's tags, by name. */
export function listOrgTagRows(db: Db, orgId: string): Promise<OrgTagRow[]> {
  return db.selectFrom('org_tags').selectAll().where('org_id', '=', orgId).orderBy('tag').orderBy('id').execute()
}

/** Finds an organisation's tag by name (exact). */
export function findOrgTagRow(db: Db, orgId: string, tag: string): Promise<OrgTagRow | undefined> {
  return db.selectFrom('org_tags').selectAll().where('org_id', '=', orgId).where('tag', '=', tag).executeTakeFirst()
}

/** How many tags an organisation has. */
export async function countOrgTags(db: Db, orgId: string): Promise<number> {
  const r = await db.selectFrom('org_tags').select((eb) => eb.fn.countAll<number>().as('n')).where('org_id', '=', orgId).executeTakeFirstOrThrow()
  return Number(r.n)
}

/**
 * Inserts a tag and answers its id, or undefined when the organisation already has a tag of that
 * name (the unique index `org_tags_name` decides, so two concurrent inserts make one tag).
 */
export async function insertOrgTag(db: Db, row: Omit<OrgTagRow, 'id'>): Promise<number | undefined> {
  const r = await db
    .insertInto('org_tags')
    .values(row)
    .onConflict((oc) => oc.columns(['org_id', 'tag']).doNothing())
    .returning('id')
    .executeTakeFirst()
  return r === undefined ? undefined : Number(r.id)
}

/** Changes a tag's colour. */
export async function setOrgTagColor(db: Db, id: number, colorCode: string): Promise<void> {
  await db.updateTable('org_tags').set({ color_code: colorCode }).where('id', '=', id).execute()
}
