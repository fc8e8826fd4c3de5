import type { Kysely } from 'kysely'
import type { Dialect } from '../store.js'

/**
 * Notices and contacts (issue 13, seed 001's notices, contacts and contact methods).
 *
 * * `contact_notice_types`, `contact_methods`: the two catalogues (integer ids, as the seed's
 *   `ContactNoticeTypeId` and `ContactMethodId`), filled here.
 * * `notices`: one notice. `org_id` set: it concerns that customer alone; `org_id` null: it is
 *   subtree-wide ("global") and reaches every organisation whose path starts with `scope_path`
 *   (the author's path: the master's reaches everyone, a reseller's its subtree only).
 * * `notice_acks`: which organisation acknowledged which notice, and when.
 * * `contacts`, `contact_method_links` (the seed's CustomerContactMethod: a contact's method and
 *   address, a webhook's sealed signing secret), `contact_method_notices` (a contact method's
 *   subscription to a notice type).
 * * `notice_deliveries`: one row per (notice, contact method) the fan-out reached, its state.
 */
export function noticesContacts(dialect: Dialect) {
  const pg = dialect === 'postgres'
  const serial = (c: any) => (pg ? c.primaryKey().generatedByDefaultAsIdentity() : c.primaryKey().autoIncrement())
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('contact_notice_types')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('code', 'text', (c) => c.notNull().unique())
        .addColumn('name', 'text', (c) => c.notNull())
        .execute()
      await db
        .insertInto('contact_notice_types')
        .values([
          { id: 1, code: 'general', name: 'General announcements' },
          { id: 2, code: 'maintenance', name: 'Planned maintenance' },
          { id: 3, code: 'incident', name: 'Service incidents' },
          { id: 4, code: 'billing', name: 'Billing' },
          { id: 5, code: 'security', name: 'Security advisories' },
        ])
        .execute()
      await db.schema
        .createTable('contact_methods')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('code', 'text', (c) => c.notNull().unique())
        .addColumn('name', 'text', (c) => c.notNull())
        .execute()
      await db
        .insertInto('contact_methods')
        .values([
          { id: 1, code: 'email', name: 'E-mail' },
          { id: 2, code: 'sms', name: 'SMS' },
          { id: 3, code: 'webhook', name: 'Webhook (signed HTTPS POST)' },
        ])
        .execute()

      await db.schema
        .createTable('notices')
        .addColumn('id', 'integer', serial)
        .addColumn('org_id', 'text', (c) => c.references('orgs.id'))
        .addColumn('scope_path', 'text', (c) => c.notNull())
        .addColumn('author_org_id', 'text', (c) => c.notNull().references('orgs.id'))
        .addColumn('notice_type_id', 'integer', (c) => c.notNull().references('contact_notice_types.id'))
        .addColumn('subject', 'text', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute()
      await db.schema.createIndex('notices_org').on('notices').columns(['org_id', 'updated_at']).execute()
      await db.schema.createIndex('notices_scope').on('notices').columns(['scope_path', 'updated_at']).execute()
      await db.schema
        .createTable('notice_acks')
        .addColumn('notice_id', 'integer', (c) => c.notNull().references('notices.id').onDelete('cascade'))
        .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id'))
        .addColumn('acknowledged_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('notice_acks_pk', ['notice_id', 'org_id'])
        .execute()

      await db.schema
        .createTable('contacts')
        .addColumn('id', 'integer', serial)
        .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('email', 'text')
        .addColumn('phone', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute()
      await db.schema.createIndex('contacts_org').on('contacts').columns(['org_id', 'id']).execute()
      await db.schema
        .createTable('contact_method_links')
        .addColumn('id', 'integer', serial)
        .addColumn('contact_id', 'integer', (c) => c.notNull().references('contacts.id').onDelete('cascade'))
        .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id'))
        .addColumn('method_id', 'integer', (c) => c.notNull().references('contact_methods.id'))
        .addColumn('address', 'text', (c) => c.notNull())
        .addColumn('options', 'text', (c) => c.notNull())
        .addColumn('secret', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute()
      await db.schema.createIndex('contact_method_links_contact').on('contact_method_links').columns(['contact_id', 'id']).execute()
      await db.schema.createIndex('contact_method_links_org').on('contact_method_links').columns(['org_id', 'id']).execute()
      await db.schema
        .createTable('contact_method_notices')
        .addColumn('id', 'integer', serial)
        .addColumn('contact_method_id', 'integer', (c) => c.notNull().references('contact_method_links.id').onDelete('cascade'))
        .addColumn('notice_type_id', 'integer', (c) => c.notNull().references('contact_notice_types.id'))
        .addColumn('options', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('contact_method_notices_unique', ['contact_method_id', 'notice_type_id'])
        .execute()
      await db.schema.createIndex('contact_method_notices_type').on('contact_method_notices').columns(['notice_type_id', 'contact_method_id']).execute()

      await db.schema
        .createTable('notice_deliveries')
        .addColumn('notice_id', 'integer', (c) => c.notNull().references('notices.id').onDelete('cascade'))
        .addColumn('contact_method_id', 'integer', (c) => c.notNull())
        .addColumn('method', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('error', 'text')
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('notice_deliveries_pk', ['notice_id', 'contact_method_id'])
        .execute()
    },
  }
}
