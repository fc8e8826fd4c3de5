import { sql, type Kysely } from 'kysely'
import type { Dialect } from '../store.js'

/**
 * What seed 003 keeps on an organisation beyond its fields (issue 16):
 *
 * * `orgs.slack_webhook_sealed`: the organisation's Slack incoming-webhook URL (Enhance's
 *   `slackNotificationWebhookUrl`), sealed (core/sealed.ts), null when none is set. A partial
 *   index lists the few organisations that have one, so that re-sealing them under a new key at
 *   start reads those rows and not every organisation.
 * * `orgs_parent_created`: an organisation's direct customers by creation time, so that "customers
 *   added per interval" is a range read of the window asked for (a subtree is read by `orgs_path`).
 * * `org_tags`: an organisation's tags (a name and a colour), unique by name within it.
 */
export function orgSettings(dialect: Dialect) {
  const pg = dialect === 'postgres'
  const sortText = pg ? sql`text collate "C"` : sql`text`
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema.alterTable('orgs').addColumn('slack_webhook_sealed', 'text').execute()
      await db.schema.createIndex('orgs_slack_webhook').on('orgs').column('number').where(sql.ref('slack_webhook_sealed'), 'is not', null).execute()
      await db.schema.createIndex('orgs_parent_created').on('orgs').columns(['parent_id', 'created_at']).execute()
      await db.schema
        .createTable('org_tags')
        .addColumn('id', 'integer', (c) => (pg ? c.primaryKey().generatedByDefaultAsIdentity() : c.primaryKey().autoIncrement()))
        .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id'))
        .addColumn('tag', sortText, (c) => c.notNull())
        .addColumn('color_code', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute()
      await db.schema.createIndex('org_tags_name').on('org_tags').columns(['org_id', 'tag']).unique().execute()
    },
    async down(db: Kysely<any>): Promise<void> {
      await db.schema.dropTable('org_tags').ifExists().execute()
      await db.schema.dropIndex('orgs_parent_created').ifExists().execute()
      await db.schema.dropIndex('orgs_slack_webhook').ifExists().execute()
      await db.schema.alterTable('orgs').dropColumn('slack_webhook_sealed').execute()
    },
  }
}
