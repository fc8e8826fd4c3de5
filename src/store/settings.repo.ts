/**
 * A customer's settings as stored (`customer_settings`). Knows SQL and nothing of actors or
 * rules: see src/ops/settings/.
 */
import type { Db } from './store.js'
import type { CustomerSettingTable } from './schema.js'
import type { Setting } from '../core/settings.js'

export type { Setting } from '../core/settings.js'

/** Maps a stored setting to the core's. */
export function toSetting(r: CustomerSettingTable): Setting {
  return { name: r.name, value: r.value, updatedAt: r.updated_at }
}

/** Every setting of `orgId`, by name. */
export function listSettingRows(db: Db, orgId: string): Promise<CustomerSettingTable[]> {
  return db.selectFrom('customer_settings').selectAll().where('org_id', '=', orgId).orderBy('name').execute()
}

/** The names of `orgId`'s settings. */
export async function settingNames(db: Db, orgId: string): Promise<string[]> {
  return (await db.selectFrom('customer_settings').select('name').where('org_id', '=', orgId).execute()).map((r) => r.name)
}

/** Sets one setting of `orgId` (inserted, or its value replaced). */
export async function upsertSetting(db: Db, orgId: string, name: string, value: string, now: string): Promise<void> {
  await db
    .insertInto('customer_settings')
    .values({ org_id: orgId, name, value, updated_at: now })
    .onConflict((oc) => oc.columns(['org_id', 'name']).doUpdateSet({ value, updated_at: now }))
    .execute()
}

/** Removes one setting of `orgId`; true when there was one. */
export async function deleteSettingRow(db: Db, orgId: string, name: string): Promise<boolean> {
  const r = await db.deleteFrom('customer_settings').where('org_id', '=', orgId).where('name', '=', name).executeTakeFirst()
  return Number(r.numDeletedRows) > 0
}
