import { Type, type Static } from 'typebox'
import { defineOp } from '../context.js'
import { getOrgInScope, requirePermission } from '../access.js'
import { DomainError } from '../../core/errors.js'
import { newId } from '../../core/ids.js'
import { catalogKey } from '../../store/catalog.repo.js'
import { findUserByUsername } from '../../store/users.repo.js'
import {
  countGroupMembers,
  deleteProviderRow,
  insertProviderRow,
  listProviderRows,
  listServiceLabelRows,
  setGroupMemberRows,
  updateProviderRow,
  type ApprovalProviderRow,
} from '../../store/approvals.repo.js'
import type { Db } from '../../store/store.js'
import { SubscriptionsInput, type StoredSubscription, type ApprovalProvidersView } from './model.js'
import { providersView } from './views.js'

const Days = (what: string) => Type.Integer({ minimum: 0, maximum: 3650, description: `${what} (0: never)` })
const STRICT = { additionalProperties: false } as const

/** The input of `approval_provider.set`. */
export const SetApprovalProvidersInput = Type.Object(
  {
    orgId: Type.String({ maxLength: 64 }),
    managers: Type.Optional(
      Type.Object(
        {
          configuration: Type.Optional(
            Type.Object(
              {
                managers: Type.Optional(Type.Integer({ minimum: 0, maximum: 20, description: 'Levels of the chain of managers that must accept (0: only the fallback approvers)' })),
                timeoutDays: Type.Optional(Days('Days until an unanswered approval fails')),
                reminderDays: Type.Optional(Days('Days between reminders')),
              },
              STRICT,
            ),
          ),
          subscriptions: Type.Optional(SubscriptionsInput),
        },
        STRICT,
      ),
    ),
    groups: Type.Optional(
      Type.Array(
        Type.Object(
          {
            name: Type.String({ minLength: 1, maxLength: 100 }),
            description: Type.Optional(Type.String({ maxLength: 2000 })),
            action: Type.Optional(Type.Literal('delete', { description: 'Deletes the group (its pending approvals keep their approvers)' })),
            configuration: Type.Optional(
              Type.Object(
                {
                  membersToApprove: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, description: "Members' acceptances needed (at most the group's members)" })),
                  timeoutDays: Type.Optional(Days('Days until an unanswered approval fails')),
                  reminderDays: Type.Optional(Days('Days between reminders')),
                },
                STRICT,
              ),
            ),
            members: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 256 }), { maxItems: 1000, description: "Usernames of the organisation's users: the group's members, all of them" })),
            subscriptions: Type.Optional(SubscriptionsInput),
          },
          STRICT,
        ),
        { maxItems: 100 },
      ),
    ),
  },
  STRICT,
)

/**
 * Manages a customer's approval providers (seed 004's SET of `<approvalproviders>`): "Workflow
 * Managers" (`managers`) and the groups of "Workflow Groups" (`groups`). Merges as the seed
 * says: only the providers and groups named change; in them only the configuration values and
 * the subscription tags given (a subscription with access `None` is removed, `Object` added);
 * `members`, when given, is the group's whole list. A group with `action: 'delete'` is deleted.
 * A provider first named is made with defaults (managers 1, membersToApprove 1, no timeout, no
 * reminder). Answers the providers as they now stand.
 *
 * Needs `org.write` on the organisation (the seed's Update permission). Refused, changing
 * nothing: an unknown service label (`invalid_argument`; `All` or a catalogue service's name or
 * display name), a member who is not a user of the organisation (`invalid_argument`), a group
 * named twice, `membersToApprove` above the group's members (`invalid_argument`), deleting an
 * unknown group (`not_found`).
 */
export const setApprovalProviders = defineOp({
  name: 'approval_provider.set',
  input: SetApprovalProvidersInput,
  async run(ctx, input): Promise<ApprovalProvidersView> {
    requirePermission(ctx, 'org.write')
    const names = (input.groups ?? []).map((g) => catalogKey(g.name))
    if (new Set(names).size !== names.length) throw new DomainError('invalid_argument', 'a group is named twice', { field: 'groups' })
    return ctx.store.write(async (trx) => {
      const org = await getOrgInScope(ctx, trx, input.orgId)
      const labels = await labelCheck(trx)
      const now = new Date(ctx.clock()).toISOString()
      const rows = await listProviderRows(trx, org.id)
      const fresh = (kind: string, name: string): ApprovalProviderRow => ({
        id: newId(),
        org_id: org.id,
        kind,
        name,
        name_key: catalogKey(name),
        description: '',
        managers: 1,
        members_to_approve: 1,
        timeout_days: 0,
        reminder_days: 0,
        subscriptions: '[]',
        created_at: now,
        updated_at: now,
      })
      if (input.managers) {
        const m = input.managers
        const existing = rows.find((r) => r.kind === 'managers')
        const row = existing ?? fresh('managers', '')
        const c = m.configuration ?? {}
        const next = {
          managers: c.managers ?? row.managers,
          timeout_days: c.timeoutDays ?? row.timeout_days,
          reminder_days: c.reminderDays ?? row.reminder_days,
          subscriptions: JSON.stringify(mergeSubscriptions(JSON.parse(row.subscriptions) as StoredSubscription[], m.subscriptions, labels, 'managers')),
          updated_at: now,
        }
        if (existing) await updateProviderRow(trx, row.id, next)
        else await insertProviderRow(trx, { ...row, ...next })
      }
      for (const g of input.groups ?? []) {
        const existing = rows.find((r) => r.kind === 'group' && r.name_key === catalogKey(g.name))
        if (g.action === 'delete') {
          if (!existing) throw new DomainError('not_found', `${org.name} has no approval group ${JSON.stringify(g.name)}`, { field: 'groups' })
          await deleteProviderRow(trx, existing.id)
          continue
        }
        const row = existing ?? fresh('group', g.name)
        const c = g.configuration ?? {}
        const next = {
          description: g.description ?? row.description,
          members_to_approve: c.membersToApprove ?? row.members_to_approve,
          timeout_days: c.timeoutDays ?? row.timeout_days,
          reminder_days: c.reminderDays ?? row.reminder_days,
          subscriptions: JSON.stringify(mergeSubscriptions(JSON.parse(row.subscriptions) as StoredSubscription[], g.subscriptions, labels, `group ${g.name}`)),
          updated_at: now,
        }
        if (existing) await updateProviderRow(trx, row.id, next)
        else await insertProviderRow(trx, { ...row, ...next })
        let count: number
        if (g.members !== undefined) {
          const ids: string[] = []
          for (const username of g.members) {
            const u = await findUserByUsername(trx, username)
            if (!u || u.org_id !== org.id) throw new DomainError('invalid_argument', `group ${g.name}: ${org.name} has no user ${JSON.stringify(username)}`, { field: 'members' })
            if (!ids.includes(u.id)) ids.push(u.id)
          }
          await setGroupMemberRows(trx, row.id, ids)
          count = ids.length
        } else {
          count = await countGroupMembers(trx, row.id)
        }
        if (next.members_to_approve > count) {
          throw new DomainError('invalid_argument', `group ${g.name}: membersToApprove ${next.members_to_approve} is more than its ${count} members`, { field: 'membersToApprove' })
        }
      }
      return providersView(trx, org.id)
    })
  },
})

/** Checks service labels against the catalogue; answers the check. */
async function labelCheck(db: Db): Promise<(label: string, where: string) => void> {
  const known = new Set<string>(['all'])
  for (const s of await listServiceLabelRows(db)) {
    known.add(catalogKey(s.name))
    if (s.display_name) known.add(catalogKey(s.display_name))
  }
  return (label, where) => {
    if (!known.has(catalogKey(label))) {
      throw new DomainError('invalid_argument', `${where}: no service is labelled ${JSON.stringify(label)} (name a catalogue service or All)`, { field: 'subscriptions' })
    }
  }
}

/** `current` with the subscriptions `given` merged in: each named one set (`Object`) or removed (`None`). */
export function mergeSubscriptions(
  current: readonly StoredSubscription[],
  given: Static<typeof SubscriptionsInput> | undefined,
  check: (label: string, where: string) => void,
  where: string,
): StoredSubscription[] {
  if (!given) return [...current]
  let out = [...current]
  const apply = (object: StoredSubscription['object'], label: string | null, name: StoredSubscription['name'], access: 'Object' | 'None') => {
    const key = label === null ? null : catalogKey(label)
    out = out.filter((s) => !(s.object === object && s.name === name && (s.label === null ? null : catalogKey(s.label)) === key))
    if (access === 'Object') out.push({ object, label, name })
  }
  for (const s of given.users ?? []) apply('users', null, s.name, s.access)
  for (const s of given.customers ?? []) apply('customers', null, s.name, s.access)
  for (const [object, list] of [['userservices', given.userServices], ['services', given.services]] as const) {
    for (const l of list ?? []) {
      check(l.label, where)
      for (const s of l.subscriptions) apply(object, l.label, s.name, s.access)
    }
  }
  return out
}
