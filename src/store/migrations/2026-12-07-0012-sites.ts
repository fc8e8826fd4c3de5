import { sql, type Kysely } from 'kysely'
import type { Dialect } from '../store.js'

/**
 * Sites of seed 001's `CP_Wizard` (issue 13): a customer's site and its parts, each part with
 * its provisioning status and the request (`requests.id`) of the job that provisions it.
 *
 * * `sites`: name unique per customer whatever its case (`name_key`); hostname (ASCII, lower
 *   case) unique across the system; `request_id` is the wizard's (parent) request.
 * * `site_aliases`: the site's other hostnames.
 * * `site_containers`: the one container of a site (type, OS image, disk in MiB, size: names
 *   of core/sites.ts's catalogues).
 * * `site_environments`: name unique per site whatever its case.
 * * `site_dns_records`: A for the hostname, CNAME per alias (when the wizard was asked for DNS).
 */
export function sites(dialect: Dialect) {
  const sortText = dialect === 'postgres' ? sql`text collate "C"` : sql`text`
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('sites')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id').onDelete('cascade'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('name_key', sortText, (c) => c.notNull())
        .addColumn('hostname', sortText, (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('error', 'text')
        .addColumn('request_id', 'integer')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute()
      await db.schema.createIndex('sites_org_name').on('sites').columns(['org_id', 'name_key']).unique().execute()
      await db.schema.createIndex('sites_hostname').on('sites').column('hostname').unique().execute()
      await db.schema
        .createTable('site_aliases')
        .addColumn('site_id', 'text', (c) => c.notNull().references('sites.id').onDelete('cascade'))
        .addColumn('name', sortText, (c) => c.notNull())
        .addPrimaryKeyConstraint('site_aliases_pk', ['site_id', 'name'])
        .execute()
      const part = (name: string) =>
        db.schema
          .createTable(name)
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('site_id', 'text', (c) => c.notNull().references('sites.id').onDelete('cascade'))
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('error', 'text')
          .addColumn('request_id', 'integer')
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('updated_at', 'text', (c) => c.notNull())
      await part('site_containers')
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('os', 'text', (c) => c.notNull())
        .addColumn('disk_mib', 'integer', (c) => c.notNull())
        .addColumn('size', 'text', (c) => c.notNull())
        .execute()
      await db.schema.createIndex('site_containers_site').on('site_containers').column('site_id').unique().execute()
      await part('site_environments').addColumn('name_key', sortText, (c) => c.notNull()).execute()
      await db.schema.createIndex('site_environments_site_name').on('site_environments').columns(['site_id', 'name_key']).unique().execute()
      await part('site_dns_records')
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('value', 'text')
        .execute()
      await db.schema.createIndex('site_dns_records_site').on('site_dns_records').column('site_id').execute()
    },
    async down(db: Kysely<any>): Promise<void> {
      for (const t of ['site_dns_records', 'site_environments', 'site_containers', 'site_aliases', 'sites']) await db.schema.dropTable(t).ifExists().execute()
    },
  }
}
