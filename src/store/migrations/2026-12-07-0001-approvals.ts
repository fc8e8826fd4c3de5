import type { Kysely } from 'kysely'

/**
 * Workflow approvals (issue 12, seed 004's approval providers and responses).
 *
 * * `users.manager_user_id`: the user's manager (a user of the same organisation), the chain the
 *   "Workflow Managers" provider follows; `users.approval_state`: null, or `pending-create` /
 *   `pending-delete` while the user's creation or deletion waits for approval.
 * * `approval_providers`: one row per organisation for "Workflow Managers" (`kind` managers,
 *   empty name) and one per group of "Workflow Groups" (`kind` group), with its configuration
 *   and its event subscriptions (JSON); `approval_group_members`: a group's approvers.
 * * `approval_requests`: one per gated event: its request (`requests.id`), organisation,
 *   description, event, requester, status (`Pending|Accepted|Rejected|TimedOut`), what it does
 *   when accepted and how to undo the subject when it is not (`effect`, JSON).
 * * `approval_gates`: per subscribed provider or group, the acceptances it needs and its
 *   timeout and reminder periods; `approval_responses`: one per approver (`id` is the seed's
 *   subscription GUID), with its status and reason.
 */
export function approvals() {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema.alterTable('users').addColumn('manager_user_id', 'text').execute()
      await db.schema.alterTable('users').addColumn('approval_state', 'text').execute()
      await db.schema.createIndex('users_manager').on('users').columns(['manager_user_id']).execute()
      await db.schema
        .createTable('approval_providers')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id').onDelete('cascade'))
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('name_key', 'text', (c) => c.notNull())
        .addColumn('description', 'text', (c) => c.notNull())
        .addColumn('managers', 'integer', (c) => c.notNull())
        .addColumn('members_to_approve', 'integer', (c) => c.notNull())
        .addColumn('timeout_days', 'integer', (c) => c.notNull())
        .addColumn('reminder_days', 'integer', (c) => c.notNull())
        .addColumn('subscriptions', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute()
      await db.schema.createIndex('approval_providers_name').on('approval_providers').columns(['org_id', 'kind', 'name_key']).unique().execute()
      await db.schema
        .createTable('approval_group_members')
        .addColumn('provider_id', 'text', (c) => c.notNull().references('approval_providers.id').onDelete('cascade'))
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addPrimaryKeyConstraint('approval_group_members_pk', ['provider_id', 'user_id'])
        .execute()
      await db.schema
        .createTable('approval_requests')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('request_id', 'integer', (c) => c.notNull())
        .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id').onDelete('cascade'))
        .addColumn('description', 'text', (c) => c.notNull())
        .addColumn('event', 'text', (c) => c.notNull())
        .addColumn('requested_by_user_id', 'text')
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('effect', 'text', (c) => c.notNull())
        .addColumn('requested_at', 'text', (c) => c.notNull())
        .addColumn('resolved_at', 'text')
        .execute()
      await db.schema.createIndex('approval_requests_org').on('approval_requests').columns(['org_id', 'requested_at']).execute()
      await db.schema.createIndex('approval_requests_status').on('approval_requests').columns(['status']).execute()
      await db.schema.createIndex('approval_requests_request').on('approval_requests').columns(['request_id']).execute()
      await db.schema
        .createTable('approval_gates')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('approval_id', 'text', (c) => c.notNull().references('approval_requests.id').onDelete('cascade'))
        .addColumn('provider', 'text', (c) => c.notNull())
        .addColumn('required', 'integer', (c) => c.notNull())
        .addColumn('timeout_days', 'integer', (c) => c.notNull())
        .addColumn('reminder_days', 'integer', (c) => c.notNull())
        .addColumn('reminded_at', 'text')
        .execute()
      await db.schema.createIndex('approval_gates_approval').on('approval_gates').columns(['approval_id']).execute()
      await db.schema
        .createTable('approval_responses')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('approval_id', 'text', (c) => c.notNull().references('approval_requests.id').onDelete('cascade'))
        .addColumn('gate_id', 'text', (c) => c.notNull().references('approval_gates.id').onDelete('cascade'))
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('requested_at', 'text', (c) => c.notNull())
        .addColumn('resolved_at', 'text')
        .execute()
      await db.schema.createIndex('approval_responses_approval').on('approval_responses').columns(['approval_id']).execute()
      await db.schema.createIndex('approval_responses_user').on('approval_responses').columns(['user_id']).execute()
    },
    async down(db: Kysely<any>): Promise<void> {
      await db.schema.dropTable('approval_responses').execute()
      await db.schema.dropTable('approval_gates').execute()
      await db.schema.dropTable('approval_requests').execute()
      await db.schema.dropTable('approval_group_members').execute()
      await db.schema.dropTable('approval_providers').execute()
      await db.schema.dropIndex('users_manager').execute()
      await db.schema.alterTable('users').dropColumn('approval_state').execute()
      await db.schema.alterTable('users').dropColumn('manager_user_id').execute()
    },
  }
}
