import { Type, type Static } from 'typebox'
import { defineOp, type Ctx } from '../context.js'
import { DomainError } from '../../core/errors.js'
import { newId } from '../../core/ids.js'
import { GROUP_LISTS, MAX_EMAIL_ADDRESSES, MAX_GROUP_LIST, MAX_GROUPS, type DistributionGroup, type GroupMember } from '../../core/exchange.js'
import { countExchangeRows, findGroupRow, insertGroupRow, replaceGroupList, updateGroupRow, type ExchangeGroupRow } from '../../store/exchange.repo.js'
import { findUserById } from '../../store/users.repo.js'
import { mapUnique, nowIso, type Db } from '../../store/store.js'
import { isUuid } from '../../core/ids.js'
import { getHeldService, GroupMemberInput, OrgAndService, Text } from './exchange-access.js'
import { groupsOf } from './group-view.js'

const List = Type.Optional(Type.Array(GroupMemberInput, { maxItems: MAX_GROUP_LIST }))

/** A distribution group as a SET gives it: every field optional (a new group needs `displayName`). */
export const GroupInput = Type.Object(
  {
    id: Type.Optional(Text(64)),
    displayName: Type.Optional(Type.String({ minLength: 1, maxLength: 256, pattern: '\\S' })),
    syncObjectId: Type.Optional(Text(256)),
    enabled: Type.Optional(Type.Boolean()),
    path: Type.Optional(Text(1024)),
    email: Type.Optional(Text(320)),
    emailAlias: Type.Optional(Text(256)),
    mailTip: Type.Optional(Text(1000)),
    groupType: Type.Optional(Text(64)),
    hideFromAddressLists: Type.Optional(Type.Boolean()),
    requireSenderAuthentication: Type.Optional(Type.Boolean()),
    memberJoinRestriction: Type.Optional(Text(64)),
    memberDepartRestriction: Type.Optional(Text(64)),
    sendModerationNotifications: Type.Optional(Text(64)),
    emailAddresses: Type.Optional(Type.Array(Text(320), { maxItems: MAX_EMAIL_ADDRESSES })),
    owners: List,
    members: List,
    sendAsMembers: List,
    sendRestrictionAcceptedMembers: List,
    sendRestrictionRejectedMembers: List,
  },
  { additionalProperties: false },
)

/** Turns list entries into members; an entry naming a user must name one of the customer's (`invalid_argument` otherwise). */
async function membersOf(ctx: Ctx, trx: Db, orgId: string, list: string, entries: Static<typeof GroupMemberInput>[]): Promise<GroupMember[]> {
  const out: GroupMember[] = []
  for (const e of entries) {
    let userId: string | null = null
    if (e.userId !== undefined) {
      const u = isUuid(e.userId) ? await findUserById(trx, e.userId) : undefined
      if (!u || u.org_id !== orgId) throw new DomainError('invalid_argument', `${list}: no user ${JSON.stringify(e.userId.slice(0, 64))} in this customer`, { field: list })
      userId = u.id
    }
    if (!e.displayName && !e.syncObjectId && !e.path && !e.email && userId === null) {
      throw new DomainError('invalid_argument', `${list}: an entry needs a displayName, syncObjectId, path, email or userId`, { field: list })
    }
    out.push({ displayName: e.displayName ?? '', syncObjectId: e.syncObjectId ?? '', path: e.path ?? '', email: e.email ?? '', enabled: e.enabled ?? true, userId })
  }
  return out
}

/**
 * Creates or changes a distribution group of a customer's service (seed 004's SET
 * `<distributiongroups><distributiongroup>…`). The group is the one with the `id`,
 * `syncObjectId`, `path` or `displayName` given (tried in that order; display names compare
 * case-insensitively); when none matches a new one is made, which needs `displayName`.
 *
 * Merge: the fields given replace the group's, those not given are kept; a list given
 * (`emailAddresses`, `owners`, `members`, `sendAsMembers`, `sendRestrictionAcceptedMembers`,
 * `sendRestrictionRejectedMembers`) replaces that whole list. A list entry may name one of the
 * customer's users (`userId`). Display names are unique within the service (`already_exists`).
 * At most 10 000 groups a service, 1000 entries a list, 100 addresses. Needs `org.write`;
 * `not_found` (resource `service`) when the customer does not hold the service.
 */
export const setDistributionGroup = defineOp({
  name: 'distribution_group.set',
  input: Type.Object({ ...OrgAndService, group: GroupInput }, { additionalProperties: false }),
  async run(ctx, input): Promise<{ group: DistributionGroup; created: boolean }> {
    const g = input.group
    return ctx.store.write(async (trx) => {
      const { org, cs, service } = await getHeldService(ctx, trx, input.orgId, input.service, true)
      let row: ExchangeGroupRow | undefined
      if (g.id) {
        row = await findGroupRow(trx, cs.id, { id: g.id })
        if (!row) throw new DomainError('not_found', `${service.name} has no distribution group ${g.id}`, { resource: 'distributiongroup' })
      }
      row ??= (g.syncObjectId ? await findGroupRow(trx, cs.id, { syncObjectId: g.syncObjectId }) : undefined) ??
        (g.path ? await findGroupRow(trx, cs.id, { path: g.path }) : undefined) ??
        (g.displayName ? await findGroupRow(trx, cs.id, { displayName: g.displayName }) : undefined)
      const lists = new Map<string, GroupMember[]>()
      for (const l of GROUP_LISTS) {
        const given = g[l]
        if (given !== undefined) lists.set(l, await membersOf(ctx, trx, org.id, l, given))
      }
      const now = nowIso(ctx.clock)
      const fields: Partial<ExchangeGroupRow> = {}
      if (g.displayName !== undefined) Object.assign(fields, { display_name: g.displayName.trim(), display_name_key: g.displayName.trim().toLowerCase() })
      if (g.syncObjectId !== undefined) fields.sync_object_id = g.syncObjectId
      if (g.enabled !== undefined) fields.enabled = g.enabled ? 1 : 0
      if (g.path !== undefined) fields.path = g.path
      if (g.email !== undefined) Object.assign(fields, { email: g.email, email_key: g.email.toLowerCase() })
      if (g.emailAlias !== undefined) fields.email_alias = g.emailAlias
      if (g.mailTip !== undefined) fields.mail_tip = g.mailTip
      if (g.groupType !== undefined) fields.group_type = g.groupType
      if (g.hideFromAddressLists !== undefined) fields.hide_from_address_lists = g.hideFromAddressLists ? 1 : 0
      if (g.requireSenderAuthentication !== undefined) fields.require_sender_authentication = g.requireSenderAuthentication ? 1 : 0
      if (g.memberJoinRestriction !== undefined) fields.member_join_restriction = g.memberJoinRestriction
      if (g.memberDepartRestriction !== undefined) fields.member_depart_restriction = g.memberDepartRestriction
      if (g.sendModerationNotifications !== undefined) fields.send_moderation_notifications = g.sendModerationNotifications
      if (g.emailAddresses !== undefined) fields.email_addresses = JSON.stringify(g.emailAddresses)
      const taken = () => `${service.name} already has a distribution group named ${JSON.stringify(g.displayName)}`
      let id: string
      const created = row === undefined
      if (row) {
        id = row.id
        await mapUnique(() => updateGroupRow(trx, id, { ...fields, updated_at: now }), taken)
      } else {
        if (g.displayName === undefined) throw new DomainError('invalid_argument', 'a new distribution group needs a displayName', { field: 'displayName' })
        if ((await countExchangeRows(trx, 'exchange_groups', cs.id)) >= MAX_GROUPS) {
          throw new DomainError('failed_precondition', `${service.name} of ${org.name} already has ${MAX_GROUPS} distribution groups`)
        }
        id = newId()
        const fresh: ExchangeGroupRow = {
          id,
          customer_service_id: cs.id,
          display_name: '',
          display_name_key: '',
          sync_object_id: '',
          path: '',
          email: '',
          email_key: '',
          email_alias: '',
          mail_tip: '',
          group_type: 'Distribution',
          enabled: 1,
          hide_from_address_lists: 0,
          require_sender_authentication: 1,
          member_join_restriction: 'Closed',
          member_depart_restriction: 'Closed',
          send_moderation_notifications: 'Never',
          email_addresses: '[]',
          created_at: now,
          updated_at: now,
          ...fields,
        }
        await mapUnique(() => insertGroupRow(trx, fresh), taken)
      }
      for (const [l, members] of lists) await replaceGroupList(trx, id, l as (typeof GROUP_LISTS)[number], members)
      const after = (await findGroupRow(trx, cs.id, { id }))!
      return { group: (await groupsOf(trx, [after], true))[0]!, created }
    })
  },
})
