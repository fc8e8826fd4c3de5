import type { Kysely } from 'kysely'

/**
 * Billable bandwidth (issue 13, seed 001's `currentBillableBandwidth`):
 *
 * * `bandwidth_samples`: one row per customer and 5-minute slot (`slot` = seconds since the
 *   epoch / 300, the primary key with `org_id`): the average rates in and out over the slot in
 *   bits per second, and `peak_bps` = max(in, out), the value the percentile rules rank (kept
 *   as a column so that ranking is one portable indexed query on both databases). `at` is the
 *   slot's start as ISO text; `recorded_at` when the row was last written. Gone with the org.
 *
 * A plan's `bandwidthBillingRule` lives in its hosting JSON (`plans.hosting`), so plans need
 * no column of their own.
 */
export function bandwidth() {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('bandwidth_samples')
        .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id').onDelete('cascade'))
        .addColumn('slot', 'bigint', (c) => c.notNull())
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('in_bps', 'bigint', (c) => c.notNull())
        .addColumn('out_bps', 'bigint', (c) => c.notNull())
        .addColumn('peak_bps', 'bigint', (c) => c.notNull())
        .addColumn('recorded_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('bandwidth_samples_pk', ['org_id', 'slot'])
        .execute()
      // The percentile query ranks one customer's period by peak: (org_id, slot) bounds it.
    },
    async down(db: Kysely<any>): Promise<void> {
      await db.schema.dropTable('bandwidth_samples').execute()
    },
  }
}
