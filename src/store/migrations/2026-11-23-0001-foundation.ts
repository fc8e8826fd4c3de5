import { sql, type Kysely } from 'kysely'
import type { Dialect } from '../store.js'

/** Organisations and their hierarchy, users, groups, API keys, sessions, throttles, idempotency, cloud providers. */
export function foundation(dialect: Dialect) {
  const pg = dialect === 'postgres'
  // Columns that are sorted on or range-scanned compare bytes on both databases.
  const sortText = pg ? sql`text collate "C"` : sql`text`
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('orgs')
        .addColumn('number', 'integer', (c) => (pg ? c.primaryKey().generatedByDefaultAsIdentity() : c.primaryKey().autoIncrement()))
        .addColumn('id', 'text', (c) => c.notNull().unique())
        .addColumn('parent_id', 'text', (c) => c.references('orgs.id'))
        .addColumn('path', sortText, (c) => c.notNull())
        .addColumn('depth', 'integer', (c) => c.notNull())
        .addColumn('code', 'text', (c) => c.notNull().unique())
        .addColumn('name', sortText, (c) => c.notNull())
        .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('address', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('city', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('country', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('contact_name', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('contact_email', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('primary_domain', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('billing_id', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('external_id', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('external_metadata', 'text', (c) => c.notNull().defaultTo('{}'))
        .addColumn('licensing_enabled', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('skin_names', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('is_reseller', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('status', sortText, (c) => c.notNull())
        .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
        .addColumn('locale', 'text', (c) => c.notNull().defaultTo('en-GB'))
        .addColumn('suspended_by', 'text')
        .addColumn('subscriptions_count', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('websites_count', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', sortText, (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
        .execute()
      // A live organisation's name is unique among its siblings; deleted ones free the name.
      await sql`create unique index orgs_sibling_name on orgs (parent_id, name) where status <> 'deleted'`.execute(db)
      await db.schema.createIndex('orgs_path').on('orgs').columns(['path']).execute()
      await db.schema.createIndex('orgs_parent_sort').on('orgs').columns(['parent_id', 'name', 'number']).execute()
      for (const col of ['name', 'status', 'created_at', 'subscriptions_count', 'websites_count']) {
        await db.schema.createIndex(`orgs_sort_${col}`).on('orgs').columns([col, 'number']).execute()
      }

      await db.schema
        .createTable('org_counts')
        .addColumn('ancestor', 'integer', (c) => c.notNull())
        .addColumn('rel_depth', 'integer', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('n', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('org_counts_pk', ['ancestor', 'rel_depth', 'status'])
        .execute()

      await db.schema
        .createTable('code_counters')
        .addColumn('prefix', 'text', (c) => c.primaryKey())
        .addColumn('next', 'integer', (c) => c.notNull())
        .execute()

      await db.schema
        .createTable('users')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id'))
        .addColumn('username', sortText, (c) => c.notNull())
        .addColumn('username_key', 'text', (c) => c.notNull().unique())
        .addColumn('email', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('first_name', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('last_name', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('password_hash', 'text', (c) => c.notNull())
        .addColumn('cred_version', 'integer', (c) => c.notNull().defaultTo(1))
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
        .execute()
      await db.schema.createIndex('users_org').on('users').columns(['org_id', 'username']).execute()

      await db.schema
        .createTable('groups')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id'))
        .addColumn('name', sortText, (c) => c.notNull())
        .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('groups_org_name', ['org_id', 'name'])
        .execute()
      await db.schema
        .createTable('group_members')
        .addColumn('group_id', 'text', (c) => c.notNull().references('groups.id').onDelete('cascade'))
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('group_members_pk', ['group_id', 'user_id'])
        .execute()
      await db.schema.createIndex('group_members_user').on('group_members').columns(['user_id']).execute()

      await db.schema
        .createTable('api_keys')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('secret_hash', 'text', (c) => c.notNull())
        .addColumn('created_at', sortText, (c) => c.notNull())
        .addColumn('expires_at', 'text')
        .addColumn('acl_count', 'integer', (c) => c.notNull().defaultTo(0))
        .execute()
      await db.schema.createIndex('api_keys_user').on('api_keys').columns(['user_id']).execute()
      await db.schema
        .createTable('api_key_acls')
        .addColumn('id', 'integer', (c) => (pg ? c.primaryKey().generatedByDefaultAsIdentity() : c.primaryKey().autoIncrement()))
        .addColumn('key_id', 'text', (c) => c.notNull().references('api_keys.id').onDelete('cascade'))
        .addColumn('address', 'text', (c) => c.notNull())
        .addColumn('mask', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute()
      await db.schema.createIndex('api_key_acls_key').on('api_key_acls').columns(['key_id']).execute()

      await db.schema
        .createTable('sessions')
        .addColumn('id_hash', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .execute()
      await db.schema.createIndex('sessions_user').on('sessions').columns(['user_id']).execute()

      await db.schema
        .createTable('auth_throttle')
        .addColumn('account', 'text', (c) => c.primaryKey())
        .addColumn('failures', 'integer', (c) => c.notNull())
        .addColumn('window_start', 'text', (c) => c.notNull())
        .addColumn('locked_until', 'text')
        .execute()

      await db.schema
        .createTable('idempotency_keys')
        .addColumn('owner', 'text', (c) => c.notNull())
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('request_hash', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('status_code', 'integer')
        .addColumn('body', 'text')
        .addColumn('content_type', 'text')
        .addColumn('created_at', sortText, (c) => c.notNull())
        .addPrimaryKeyConstraint('idempotency_keys_pk', ['owner', 'key'])
        .execute()
      await db.schema.createIndex('idempotency_keys_created').on('idempotency_keys').columns(['created_at']).execute()

      await db.schema
        .createTable('cloud_providers')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', sortText, (c) => c.notNull())
        .addColumn('disambiguation', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('required_credentials', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('discoverable', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('cse_syntax', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('standalone_incompatible', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('cloud_providers_name', ['name', 'disambiguation'])
        .execute()
      await db.schema
        .createTable('org_cloud_providers')
        .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id'))
        .addColumn('provider_id', 'text', (c) => c.notNull().references('cloud_providers.id').onDelete('cascade'))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('org_cloud_providers_pk', ['org_id', 'provider_id'])
        .execute()
      await db.schema
        .createTable('cloud_accounts')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id'))
        .addColumn('provider_id', 'text', (c) => c.notNull().references('cloud_providers.id'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('servers', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', sortText, (c) => c.notNull())
        .execute()
      await db.schema.createIndex('cloud_accounts_org').on('cloud_accounts').columns(['org_id', 'created_at']).execute()
    },
    async down(db: Kysely<any>): Promise<void> {
      for (const t of ['cloud_accounts', 'org_cloud_providers', 'cloud_providers', 'idempotency_keys', 'auth_throttle', 'sessions', 'api_key_acls', 'api_keys', 'group_members', 'groups', 'users', 'code_counters', 'org_counts', 'orgs']) {
        await db.schema.dropTable(t).ifExists().execute()
      }
    },
  }
}
