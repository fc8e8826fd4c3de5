import type { Kysely } from 'kysely'
import type { Dialect } from '../store.js'

/**
 * What seed 004's XML action API needs of the core (issue 12):
 *
 * * `users.change_password_at_next_logon` (0/1), `users.password_expires_at` and
 *   `users.account_expires_at` (`YYYY-MM-DD`, null for never): the seed's `<password>` options.
 * * `orgs.password_never_expires_allowed` (0/1, default 1) and `orgs.provisioning_status` (a
 *   core/provisioning.ts status, default `Provisioned`, which every existing customer gets).
 * * `user_properties` and `org_properties`: a user's additional (Active Directory) properties
 *   and a customer's properties, one row a name.
 * * `service_resource_config`: a customer service's resource configuration, one row a name.
 * * `exchange_groups`, `exchange_group_members` and `exchange_contacts`: the distribution
 *   groups and contacts of a customer service (Hosted Exchange), with each group's members,
 *   owners, send-as and send-restriction lists as rows (`kind`); a member that is one of the
 *   customer's users names it (`user_id`, gone with the user).
 */
export function seed004Core(dialect: Dialect) {
  const pg = dialect === 'postgres'
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema.alterTable('users').addColumn('change_password_at_next_logon', 'integer', (c) => c.notNull().defaultTo(0)).execute()
      await db.schema.alterTable('users').addColumn('password_expires_at', 'text').execute()
      await db.schema.alterTable('users').addColumn('account_expires_at', 'text').execute()
      await db.schema.alterTable('orgs').addColumn('password_never_expires_allowed', 'integer', (c) => c.notNull().defaultTo(1)).execute()
      await db.schema.alterTable('orgs').addColumn('provisioning_status', 'text', (c) => c.notNull().defaultTo('Provisioned')).execute()
      await db.schema
        .createTable('user_properties')
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('value', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('user_properties_pk', ['user_id', 'name'])
        .execute()
      await db.schema
        .createTable('org_properties')
        .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id').onDelete('cascade'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('value', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('org_properties_pk', ['org_id', 'name'])
        .execute()
      await db.schema
        .createTable('service_resource_config')
        .addColumn('customer_service_id', 'text', (c) => c.notNull().references('customer_services.id').onDelete('cascade'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('value', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('service_resource_config_pk', ['customer_service_id', 'name'])
        .execute()
      await db.schema
        .createTable('exchange_groups')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('customer_service_id', 'text', (c) => c.notNull().references('customer_services.id').onDelete('cascade'))
        .addColumn('display_name', 'text', (c) => c.notNull())
        .addColumn('display_name_key', 'text', (c) => c.notNull())
        .addColumn('sync_object_id', 'text', (c) => c.notNull())
        .addColumn('path', 'text', (c) => c.notNull())
        .addColumn('email', 'text', (c) => c.notNull())
        .addColumn('email_key', 'text', (c) => c.notNull())
        .addColumn('email_alias', 'text', (c) => c.notNull())
        .addColumn('mail_tip', 'text', (c) => c.notNull())
        .addColumn('group_type', 'text', (c) => c.notNull())
        .addColumn('enabled', 'integer', (c) => c.notNull())
        .addColumn('hide_from_address_lists', 'integer', (c) => c.notNull())
        .addColumn('require_sender_authentication', 'integer', (c) => c.notNull())
        .addColumn('member_join_restriction', 'text', (c) => c.notNull())
        .addColumn('member_depart_restriction', 'text', (c) => c.notNull())
        .addColumn('send_moderation_notifications', 'text', (c) => c.notNull())
        .addColumn('email_addresses', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute()
      await db.schema.createIndex('exchange_groups_name').on('exchange_groups').columns(['customer_service_id', 'display_name_key']).unique().execute()
      await db.schema
        .createTable('exchange_group_members')
        .addColumn('id', 'integer', (c) => (pg ? c.primaryKey().generatedByDefaultAsIdentity() : c.primaryKey().autoIncrement()))
        .addColumn('group_id', 'text', (c) => c.notNull().references('exchange_groups.id').onDelete('cascade'))
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('display_name', 'text', (c) => c.notNull())
        .addColumn('sync_object_id', 'text', (c) => c.notNull())
        .addColumn('path', 'text', (c) => c.notNull())
        .addColumn('email', 'text', (c) => c.notNull())
        .addColumn('enabled', 'integer', (c) => c.notNull())
        .addColumn('user_id', 'text', (c) => c.references('users.id').onDelete('cascade'))
        .execute()
      await db.schema.createIndex('exchange_group_members_group').on('exchange_group_members').columns(['group_id', 'kind']).execute()
      await db.schema.createIndex('exchange_group_members_user').on('exchange_group_members').columns(['user_id']).execute()
      await db.schema
        .createTable('exchange_contacts')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('customer_service_id', 'text', (c) => c.notNull().references('customer_services.id').onDelete('cascade'))
        .addColumn('display_name', 'text', (c) => c.notNull())
        .addColumn('display_name_key', 'text', (c) => c.notNull())
        .addColumn('sync_object_id', 'text', (c) => c.notNull())
        .addColumn('sync_key', 'text', (c) => c.notNull())
        .addColumn('path', 'text', (c) => c.notNull())
        .addColumn('enabled', 'integer', (c) => c.notNull())
        .addColumn('hide_from_address_lists', 'integer', (c) => c.notNull())
        .addColumn('fields', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute()
      await db.schema.createIndex('exchange_contacts_name').on('exchange_contacts').columns(['customer_service_id', 'display_name_key']).unique().execute()
    },
    async down(db: Kysely<any>): Promise<void> {
      await db.schema.dropTable('exchange_contacts').ifExists().execute()
      await db.schema.dropTable('exchange_group_members').ifExists().execute()
      await db.schema.dropTable('exchange_groups').ifExists().execute()
      await db.schema.dropTable('service_resource_config').ifExists().execute()
      await db.schema.dropTable('org_properties').ifExists().execute()
      await db.schema.dropTable('user_properties').ifExists().execute()
      await db.schema.alterTable('orgs').dropColumn('provisioning_status').execute()
      await db.schema.alterTable('orgs').dropColumn('password_never_expires_allowed').execute()
      await db.schema.alterTable('users').dropColumn('account_expires_at').execute()
      await db.schema.alterTable('users').dropColumn('password_expires_at').execute()
      await db.schema.alterTable('users').dropColumn('change_password_at_next_logon').execute()
    },
  }
}
