/**
 * Name → value maps kept one row a name: a user's additional properties (`user_properties`), a
 * customer's properties (`org_properties`) and a customer service's resource configuration
 * (`service_resource_config`). Knows SQL and nothing of the rules (see core/account.ts).
 */
import type { Db } from './store.js'
import type { PropertyMap } from '../core/account.js'

/** The tables that hold a map, with the column naming the owner. */
const TABLES = {
  user: { table: 'user_properties', owner: 'user_id' },
  org: { table: 'org_properties', owner: 'org_id' },
  resource: { table: 'service_resource_config', owner: 'customer_service_id' },
} as const

/** Whose map: a user's, a customer's, or a customer service's resource configuration. */
export type PropertyOwner = keyof typeof TABLES

/** Reads the map of `ownerId`, names in order. */
export async function readProperties(db: Db, kind: PropertyOwner, ownerId: string): Promise<PropertyMap> {
  const t = TABLES[kind]
  const rows = (await (db as Db).selectFrom(t.table as 'user_properties').select(['name', 'value']).where(t.owner as 'user_id', '=', ownerId).orderBy('name').execute()) as {
    name: string
    value: string
  }[]
  const out: PropertyMap = {}
  for (const r of rows) out[r.name] = r.value
  return out
}

/**
 * Makes the stored map of `ownerId` equal `next`, given it is `current` now: deletes the names
 * gone, writes the names new or changed.
 */
export async function writeProperties(db: Db, kind: PropertyOwner, ownerId: string, current: PropertyMap, next: PropertyMap): Promise<void> {
  const t = TABLES[kind]
  const gone = Object.keys(current).filter((n) => !(n in next))
  if (gone.length > 0) {
    await db.deleteFrom(t.table as 'user_properties').where(t.owner as 'user_id', '=', ownerId).where('name', 'in', gone).execute()
  }
  for (const [name, value] of Object.entries(next)) {
    if (current[name] === value) continue
    if (name in current) {
      await db.updateTable(t.table as 'user_properties').set({ value }).where(t.owner as 'user_id', '=', ownerId).where('name', '=', name).execute()
    } else {
      await db.insertInto(t.table as 'user_properties').values({ [t.owner]: ownerId, name, value } as { user_id: string; name: string; value: string }).execute()
    }
  }
}
