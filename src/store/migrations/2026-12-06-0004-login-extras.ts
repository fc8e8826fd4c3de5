import type { Kysely } from 'kysely'
import type { Dialect } from '../store.js'

/**
 * What seed 003 keeps for a login and an organisation beyond their fields (issue 16):
 *
 * * `ui_preferences`: a login's panel preferences (Enhance's `UiPreferences`), one row per user,
 *   gone with the user (foreign key, on delete cascade).
 * * `avatars`: a picture (PNG or JPEG, at most 256 KiB) per owner — `login:<user id>` or
 *   `org:<org id>` — with its content type, size, SHA-256 (its public id: `GET /avatars/{sha256}`,
 *   indexed) and a version counting its replacements. The bytes are a `blob` on SQLite, `bytea`
 *   on PostgreSQL.
 * * `users.avatar_sha256`, `orgs.avatar_sha256`: the owner's current avatar, null for none,
 *   written in the avatar's own transaction, so that a user or an organisation read (and the
 *   organisation's per-version cache) answers its avatar's path without another query.
 */
export function loginExtras(dialect: Dialect) {
  const pg = dialect === 'postgres'
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('ui_preferences')
        .addColumn('user_id', 'text', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
        .addColumn('file_manager_view', 'text', (c) => c.notNull())
        .addColumn('website_view', 'text', (c) => c.notNull())
        .addColumn('spine_open', 'integer', (c) => c.notNull())
        .addColumn('file_manager_editor_fullscreen', 'integer', (c) => c.notNull())
        .addColumn('server_groups', 'text', (c) => c.notNull())
        .addColumn('onboarding_card_dismissed', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .execute()
      await db.schema
        .createTable('avatars')
        .addColumn('owner', 'text', (c) => c.primaryKey())
        .addColumn('sha256', 'text', (c) => c.notNull())
        .addColumn('content_type', 'text', (c) => c.notNull())
        .addColumn('size', 'integer', (c) => c.notNull())
        .addColumn('bytes', pg ? 'bytea' : 'blob', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute()
      await db.schema.createIndex('avatars_sha256').on('avatars').column('sha256').execute()
      await db.schema.alterTable('users').addColumn('avatar_sha256', 'text').execute()
      await db.schema.alterTable('orgs').addColumn('avatar_sha256', 'text').execute()
    },
    async down(db: Kysely<any>): Promise<void> {
      await db.schema.alterTable('orgs').dropColumn('avatar_sha256').execute()
      await db.schema.alterTable('users').dropColumn('avatar_sha256').execute()
      await db.schema.dropIndex('avatars_sha256').ifExists().execute()
      await db.schema.dropTable('avatars').ifExists().execute()
      await db.schema.dropTable('ui_preferences').ifExists().execute()
    },
  }
}
