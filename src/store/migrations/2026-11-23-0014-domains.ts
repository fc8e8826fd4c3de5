import { sql, type Kysely } from 'kysely'
import type { Dialect } from '../store.js'

/**
 * Domains (seed 000's `registerDomain` / `unregisterDomain`) and the registrars they are
 * registered with:
 *
 * * `domains`: each organisation's domain names, ASCII (punycode) form, unique across every
 *   organisation (the unique index is what refuses a second claim, even a concurrent one);
 *   `status` is `pending` while the registrar is being asked, then `registered`, and
 *   `unregistering` while it is being asked to let go.
 * * `registrars`: data of the master organisation; the webhook's secret is sealed in `config`.
 *   At most one is the default (a partial unique index).
 * * `orgs.retention_policy_guid`: the organisation's retention policy, `''` for none.
 */
export function domains(dialect: Dialect) {
  const pg = dialect === 'postgres'
  const sortText = pg ? sql`text collate "C"` : sql`text`
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('registrars')
        .addColumn('name', sortText, (c) => c.primaryKey())
        // local | webhook
        .addColumn('driver', 'text', (c) => c.notNull())
        .addColumn('config', 'text', (c) => c.notNull().defaultTo('{}'))
        .addColumn('tlds', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('is_default', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute()
      await db.schema.createIndex('registrars_one_default').on('registrars').column('is_default').unique().where(sql.ref('is_default'), '=', 1).execute()

      await db.schema
        .createTable('domains')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id'))
        .addColumn('name', sortText, (c) => c.notNull())
        .addColumn('unicode_name', 'text', (c) => c.notNull())
        .addColumn('registrar', 'text', (c) => c.notNull())
        // pending | registered | unregistering
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute()
      await db.schema.createIndex('domains_name').on('domains').column('name').unique().execute()
      await db.schema.createIndex('domains_org').on('domains').columns(['org_id', 'name']).execute()
      await db.schema.createIndex('domains_registrar').on('domains').column('registrar').execute()

      await db.schema.alterTable('orgs').addColumn('retention_policy_guid', 'text', (c) => c.notNull().defaultTo('')).execute()
    },
    async down(db: Kysely<any>): Promise<void> {
      await db.schema.alterTable('orgs').dropColumn('retention_policy_guid').execute()
      await db.schema.dropTable('domains').ifExists().execute()
      await db.schema.dropTable('registrars').ifExists().execute()
    },
  }
}
