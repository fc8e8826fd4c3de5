import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { DomainError } from '../../core/errors.js'
import { newId } from '../../core/ids.js'
import { CONTACT_TEXT_FIELDS, MAX_CONTACTS, type Contact } from '../../core/exchange.js'
import { countExchangeRows, findContactRow, insertContactRow, toContact, updateContactRow, type ExchangeContactRow } from '../../store/exchange.repo.js'
import { mapUnique, nowIso } from '../../store/store.js'
import { getHeldService, OrgAndService, Text } from './exchange-access.js'

/** A contact as a SET gives it: every field optional (a new contact needs `displayName`). */
export const ContactInput = Type.Object(
  {
    id: Type.Optional(Text(64)),
    displayName: Type.Optional(Type.String({ minLength: 1, maxLength: 256, pattern: '\\S' })),
    syncObjectId: Type.Optional(Text(256)),
    enabled: Type.Optional(Type.Boolean()),
    path: Type.Optional(Text(1024)),
    hideFromAddressLists: Type.Optional(Type.Boolean()),
    ...Object.fromEntries(CONTACT_TEXT_FIELDS.map((f) => [f, Type.Optional(Text(f === 'webPage' ? 2000 : 320))])),
  } as Record<string, ReturnType<typeof Type.Optional>>,
  { additionalProperties: false },
)

type ContactIn = {
  id?: string
  displayName?: string
  syncObjectId?: string
  enabled?: boolean
  path?: string
  hideFromAddressLists?: boolean
} & Partial<Record<(typeof CONTACT_TEXT_FIELDS)[number], string>>

/**
 * Creates or changes a contact of a customer's service (seed 004's SET `<contacts><contact>…`):
 * the one with the `id`, `syncObjectId`, `path` or `displayName` given (tried in that order),
 * or a new one, which needs `displayName`. Merge: fields given replace, the rest are kept.
 * Display names are unique within the service (`already_exists`); at most 10 000 contacts a
 * service. Needs `org.write`; `not_found` (resource `service`) when the customer does not hold
 * the service.
 */
export const setContact = defineOp({
  name: 'exchange_contact.set',
  input: Type.Object({ ...OrgAndService, contact: ContactInput }, { additionalProperties: false }),
  async run(ctx, input): Promise<{ contact: Contact; created: boolean }> {
    const c = input.contact as ContactIn
    return ctx.store.write(async (trx) => {
      const { org, cs, service } = await getHeldService(ctx, trx, input.orgId, input.service, true)
      let row: ExchangeContactRow | undefined
      if (c.id) {
        row = await findContactRow(trx, cs.id, { id: c.id })
        if (!row) throw new DomainError('not_found', `${service.name} has no contact ${c.id}`, { resource: 'contact' })
      }
      row ??= (c.syncObjectId ? await findContactRow(trx, cs.id, { syncObjectId: c.syncObjectId }) : undefined) ??
        (c.path ? await findContactRow(trx, cs.id, { path: c.path }) : undefined) ??
        (c.displayName ? await findContactRow(trx, cs.id, { displayName: c.displayName }) : undefined)
      const now = nowIso(ctx.clock)
      const text: Record<string, string> = row ? (JSON.parse(row.fields) as Record<string, string>) : {}
      for (const f of CONTACT_TEXT_FIELDS) if (c[f] !== undefined) text[f] = c[f]!
      const fields: Partial<ExchangeContactRow> = { fields: JSON.stringify(text), updated_at: now }
      if (c.displayName !== undefined) Object.assign(fields, { display_name: c.displayName.trim(), display_name_key: c.displayName.trim().toLowerCase() })
      if (c.syncObjectId !== undefined) Object.assign(fields, { sync_object_id: c.syncObjectId, sync_key: c.syncObjectId.toLowerCase() })
      if (c.enabled !== undefined) fields.enabled = c.enabled ? 1 : 0
      if (c.path !== undefined) fields.path = c.path
      if (c.hideFromAddressLists !== undefined) fields.hide_from_address_lists = c.hideFromAddressLists ? 1 : 0
      const taken = () => `${service.name} already has a contact named ${JSON.stringify(c.displayName)}`
      const created = row === undefined
      let id: string
      if (row) {
        id = row.id
        await mapUnique(() => updateContactRow(trx, id, fields), taken)
      } else {
        if (c.displayName === undefined) throw new DomainError('invalid_argument', 'a new contact needs a displayName', { field: 'displayName' })
        if ((await countExchangeRows(trx, 'exchange_contacts', cs.id)) >= MAX_CONTACTS) {
          throw new DomainError('failed_precondition', `${service.name} of ${org.name} already has ${MAX_CONTACTS} contacts`)
        }
        id = newId()
        const fresh: ExchangeContactRow = {
          id,
          customer_service_id: cs.id,
          display_name: '',
          display_name_key: '',
          sync_object_id: '',
          sync_key: '',
          path: '',
          enabled: 1,
          hide_from_address_lists: 0,
          fields: '{}',
          created_at: now,
          updated_at: now,
          ...fields,
        }
        await mapUnique(() => insertContactRow(trx, fresh), taken)
      }
      return { contact: toContact((await findContactRow(trx, cs.id, { id }))!), created }
    })
  },
})
