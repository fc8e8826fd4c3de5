import { sql, type Kysely } from 'kysely'
import type { Dialect } from '../store.js'

/** Seed 003's resource names, the set the master organisation starts with. */
export const SEED_RESOURCE_NAMES = [
  'customers',
  'diskspace',
  'domainAliases',
  'forwarders',
  'ftpUsers',
  'mailboxes',
  'mysqlDbs',
  'pageViews',
  'processes',
  'stagingWebsites',
  'transfer',
  'websites',
  'addonDomains',
  'subdomains',
] as const

/**
 * Plans, subscriptions and reseller quotas (issue 4), with the servers and server groups that
 * plans and subscriptions are placed on.
 *
 * * `resource_names`: the names a plan's resources may take (data the master organisation
 *   manages; seed 003's set to begin with).
 * * `plans`: what an organisation sells, with its resources (`plan_resources`, `total` NULL is
 *   unlimited), default servers or server group, and `subscriptions_count` (its live
 *   subscriptions, kept in the same transaction as they change: a plan is deleted only by a
 *   conditional UPDATE on it being 0). Deleted plans keep their row (`tombstone` = id frees the
 *   name among the organisation's live plans), for the subscriptions that named them.
 * * `subscriptions` and `subscription_resources`: one organisation's subscription to a plan of
 *   its parent, with each resource's `total` (copied from the plan when subscribed) and
 *   `usage`. On a reseller subscription, `usage` is what the reseller has sold (and, for
 *   `customers`, its live direct customers): a sale raises it by one conditional UPDATE per
 *   resource row (`usage + n <= total`), never read-then-write. `drawn_from` is the reseller
 *   subscription whose quota a subscription's amounts are drawn from while it holds them.
 * * `orgs.reseller_sub_id`: the organisation's reseller subscription (not deleted), when it has
 *   one: it is then a metered reseller. Read with the organisation's row, so that creating a
 *   customer under a parent that is not metered costs nothing more.
 */
export function plansSubscriptions(dialect: Dialect) {
  const pg = dialect === 'postgres'
  const sortText = pg ? sql`text collate "C"` : sql`text`
  const intId = (c: any) => (pg ? c.primaryKey().generatedByDefaultAsIdentity() : c.primaryKey().autoIncrement())
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('resource_names')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('name_key', 'text', (c) => c.notNull().unique())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute()
      const now = new Date().toISOString()
      await db
        .insertInto('resource_names')
        .values(SEED_RESOURCE_NAMES.map((name) => ({ name, name_key: name.toLowerCase(), created_at: now })))
        .execute()

      await db.schema
        .createTable('server_groups')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', sortText, (c) => c.notNull())
        .addColumn('name_key', 'text', (c) => c.notNull().unique())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
        .execute()

      await db.schema
        .createTable('servers')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', sortText, (c) => c.notNull())
        .addColumn('name_key', 'text', (c) => c.notNull().unique())
        .addColumn('group_id', 'text', (c) => c.references('server_groups.id'))
        // JSON array of roles (app, backup, db, email).
        .addColumn('roles', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
        .execute()
      await db.schema.createIndex('servers_group').on('servers').columns(['group_id']).execute()

      const placement = (t: any) =>
        t
          .addColumn('server_group_id', 'text', (c: any) => c.references('server_groups.id'))
          .addColumn('app_server_id', 'text', (c: any) => c.references('servers.id'))
          .addColumn('backup_server_id', 'text', (c: any) => c.references('servers.id'))
          .addColumn('db_server_id', 'text', (c: any) => c.references('servers.id'))
          .addColumn('email_server_id', 'text', (c: any) => c.references('servers.id'))

      await placement(
        db.schema
          .createTable('plans')
          .addColumn('id', 'integer', intId)
          .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id'))
          .addColumn('name', sortText, (c) => c.notNull())
          .addColumn('name_key', 'text', (c) => c.notNull())
          // hosting | reseller (a plan whose resources include `customers`).
          .addColumn('plan_type', 'text', (c) => c.notNull()),
      )
        .addColumn('subscriptions_count', 'integer', (c: any) => c.notNull().defaultTo(0))
        .addColumn('tombstone', 'integer', (c: any) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'text', (c: any) => c.notNull())
        .addColumn('updated_at', 'text', (c: any) => c.notNull())
        .addColumn('version', 'integer', (c: any) => c.notNull().defaultTo(1))
        .addUniqueConstraint('plans_org_name', ['org_id', 'name_key', 'tombstone'])
        .execute()

      await db.schema
        .createTable('plan_resources')
        .addColumn('plan_id', 'integer', (c) => c.notNull().references('plans.id'))
        .addColumn('name', 'text', (c) => c.notNull().references('resource_names.name'))
        .addColumn('total', 'bigint')
        .addPrimaryKeyConstraint('plan_resources_pk', ['plan_id', 'name'])
        .execute()
      await db.schema.createIndex('plan_resources_name').on('plan_resources').columns(['name']).execute()

      await placement(
        db.schema
          .createTable('subscriptions')
          .addColumn('id', 'integer', intId)
          .addColumn('plan_id', 'integer', (c) => c.notNull().references('plans.id'))
          .addColumn('subscriber_id', 'text', (c) => c.notNull().references('orgs.id'))
          .addColumn('vendor_id', 'text', (c) => c.notNull().references('orgs.id'))
          .addColumn('plan_type', 'text', (c) => c.notNull())
          .addColumn('friendly_name', 'text', (c) => c.notNull().defaultTo(''))
          // active | cancelled | deleted
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('is_suspended', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('suspended_by', 'text'),
      )
        .addColumn('drawn_from', 'integer', (c: any) => c.references('subscriptions.id'))
        .addColumn('created_at', 'text', (c: any) => c.notNull())
        .addColumn('updated_at', 'text', (c: any) => c.notNull())
        .addColumn('version', 'integer', (c: any) => c.notNull().defaultTo(1))
        .execute()
      await db.schema.createIndex('subscriptions_subscriber').on('subscriptions').columns(['subscriber_id', 'vendor_id', 'id']).execute()
      await db.schema.createIndex('subscriptions_plan').on('subscriptions').columns(['plan_id', 'subscriber_id']).execute()
      await db.schema.createIndex('subscriptions_drawn_from').on('subscriptions').columns(['drawn_from']).where(sql.ref('drawn_from'), 'is not', null).execute()

      await db.schema
        .createTable('subscription_resources')
        .addColumn('subscription_id', 'integer', (c) => c.notNull().references('subscriptions.id'))
        .addColumn('name', 'text', (c) => c.notNull().references('resource_names.name'))
        .addColumn('total', 'bigint')
        .addColumn('usage', 'bigint', (c) => c.notNull().defaultTo(0))
        .addPrimaryKeyConstraint('subscription_resources_pk', ['subscription_id', 'name'])
        .execute()

      await db.schema.alterTable('orgs').addColumn('reseller_sub_id', 'integer').execute()
    },
    async down(db: Kysely<any>): Promise<void> {
      await db.schema.alterTable('orgs').dropColumn('reseller_sub_id').execute()
      for (const t of ['subscription_resources', 'subscriptions', 'plan_resources', 'plans', 'servers', 'server_groups', 'resource_names']) {
        await db.schema.dropTable(t).execute()
      }
    },
  }
}
