/** Facts about the database itself. */
import type { Kysely } from 'kysely'
import type { Db } from './store.js'

/** The name of the latest migration applied (the schema's version), or '' before any ran. */
export async function latestMigrationName(db: Db): Promise<string> {
  // The migrator's own table (store.ts), not part of the typed schema.
  const row = await (db as unknown as Kysely<{ clientele_migrations: { name: string } }>)
    .selectFrom('clientele_migrations')
    .select('name')
    .orderBy('name', 'desc')
    .limit(1)
    .executeTakeFirst()
  return row?.name ?? ''
}
