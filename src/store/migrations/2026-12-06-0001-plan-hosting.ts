import { sql, type Kysely } from 'kysely'

/** Resource names of Enhance's published document (12.25) that seed 003's excerpt lacked. */
const NEW_RESOURCE_NAMES = ['dnsRecords', 'postgresqlDbs'] as const

/**
 * A plan's hosting settings, as Enhance's published document gives them (issue 16):
 *
 * * `plans.hosting` and `subscriptions.hosting`: a JSON object of the settings beside the
 *   counted resources (`planType` shared | dedicated, allowances, selections, PHP versions,
 *   cgroup and file-system limits, redis, server groups, apps), validated by the operations;
 *   `{}` reads as the defaults (core/plans.ts `hostingOf`). A subscription keeps a copy made
 *   when it subscribed or last had its plan set, as it keeps its resources.
 * * `plans.provisioning_service`: the catalogue service whose driver is handed each
 *   subscription of the plan; `subscriptions.provisioning_status` and `request_id` say how the
 *   latest hand-over went (core/provisioning.ts statuses).
 * * `postgresql_server_id` beside the other placement columns, and `servers.ip`: Enhance
 *   answers a dedicated server as `{name, id, ip}` and places PostgreSQL databases too.
 * * The resource names `dnsRecords` and `postgresqlDbs`; `processes` (not among Enhance's
 *   names) is dropped where no plan or subscription uses it.
 */
export function planHosting() {
  return {
    async up(db: Kysely<any>): Promise<void> {
      for (const table of ['plans', 'subscriptions']) {
        await db.schema.alterTable(table).addColumn('hosting', 'text', (c) => c.notNull().defaultTo('{}')).execute()
        await db.schema.alterTable(table).addColumn('postgresql_server_id', 'text', (c) => c.references('servers.id')).execute()
      }
      await db.schema.alterTable('plans').addColumn('provisioning_service', 'text').execute()
      await db.schema.alterTable('subscriptions').addColumn('provisioning_status', 'text', (c) => c.notNull().defaultTo('NotProvisioned')).execute()
      await db.schema.alterTable('subscriptions').addColumn('request_id', 'integer').execute()
      await db.schema.alterTable('servers').addColumn('ip', 'text', (c) => c.notNull().defaultTo('')).execute()

      const now = new Date().toISOString()
      for (const name of NEW_RESOURCE_NAMES) {
        const taken = await db.selectFrom('resource_names').select('name').where('name_key', '=', name.toLowerCase()).executeTakeFirst()
        if (!taken) await db.insertInto('resource_names').values({ name, name_key: name.toLowerCase(), created_at: now }).execute()
      }
      await db
        .deleteFrom('resource_names')
        .where('name', '=', 'processes')
        .where(({ not, exists, selectFrom }) => not(exists(selectFrom('plan_resources').select(sql`1`.as('x')).where('name', '=', 'processes'))))
        .where(({ not, exists, selectFrom }) => not(exists(selectFrom('subscription_resources').select(sql`1`.as('x')).where('name', '=', 'processes'))))
        .execute()
    },
    async down(db: Kysely<any>): Promise<void> {
      await db.schema.alterTable('servers').dropColumn('ip').execute()
      await db.schema.alterTable('subscriptions').dropColumn('request_id').execute()
      await db.schema.alterTable('subscriptions').dropColumn('provisioning_status').execute()
      await db.schema.alterTable('plans').dropColumn('provisioning_service').execute()
      for (const table of ['plans', 'subscriptions']) {
        await db.schema.alterTable(table).dropColumn('postgresql_server_id').execute()
        await db.schema.alterTable(table).dropColumn('hosting').execute()
      }
    },
  }
}
