import { Type } from 'typebox'
import { defineOp, type Ctx } from '../context.js'
import { DomainError } from '../../core/errors.js'
import { newId } from '../../core/ids.js'
import type { Db } from '../../store/store.js'
import { nowIso } from '../../store/store.js'
import type { OrgRow } from '../../store/orgs.repo.js'
import { deleteDomainById, deleteDomainIf, findDomainByName, insertDomainIfFree, updateDomainIf, type DomainFence } from '../../store/domains.repo.js'
import { normalizeDomain, type DomainName } from './domain-name.js'
import { orgForDomains } from './domain-access.js'
import { callRegistrar, chooseRegistrar, isStale, type RegistrarChoice } from './registrars.js'
import { Credential, DomainInput, type DomainChange } from './schema.js'

/** What the reservation found: the domain already held by the organisation, or a fresh reservation. */
type Reservation = { held: true; registrar: string } | { held: false; fence: DomainFence; registrar: RegistrarChoice; org: OrgRow }

/**
 * Registers a domain name to an organisation (seed 000's `customer.registerDomain`): checks
 * and normalises the name (IDN to punycode, lower case), then asks the registrar serving its
 * TLD, passing the customer's portal `username` and `password`, which are never stored,
 * logged or shown (not in the domain's row, not in the request's).
 *
 * The actor needs `org.write` in the organisation's subtree. A name another organisation holds
 * (or is registering) is `already_exists`; one this organisation holds already answers
 * `created: false` without asking the registrar again. A registrar's refusal is
 * `failed_precondition` with its reason, a registrar that cannot be asked `unavailable`; in
 * both cases nothing is kept.
 *
 * The registrar is asked outside any transaction: a first transaction reserves the name
 * (status `pending`; the unique index on the name refuses a concurrent claim), a second marks
 * it `registered`, or the reservation is released when the registrar said no. A reservation
 * left by a process that died is taken over after five minutes.
 */
export const registerDomain = defineOp({
  name: 'domain.register',
  input: Type.Object(
    { orgId: Type.String({ maxLength: 64 }), domain: DomainInput, username: Type.Optional(Credential), password: Type.Optional(Credential) },
    { additionalProperties: false },
  ),
  async run(ctx, input): Promise<DomainChange> {
    const startedAt = ctx.clock()
    const name = normalizeDomain(input.domain)
    const r = await ctx.store.write((trx) => reserve(ctx, trx, input.orgId, name))
    if (r.held) return { domain: name.ascii, registrar: r.registrar, created: false }
    try {
      await callRegistrar(ctx, r.registrar, 'register', name, r.org, input, startedAt)
    } catch (e) {
      await release(ctx, r.fence, name.ascii)
      throw e
    }
    const done = await ctx.store.write((trx) => updateDomainIf(trx, r.fence, { status: 'registered', updated_at: nowIso(ctx.clock) }))
    if (!done) {
      throw new DomainError('conflict', `the reservation of ${name.ascii} was released while registrar ${r.registrar.name} was asked (was the organisation deleted?)`)
    }
    return { domain: name.ascii, registrar: r.registrar.name, created: true }
  },
})

/** The top-level label of a checked name. */
function tldOf(name: DomainName): string {
  return name.ascii.slice(name.ascii.lastIndexOf('.') + 1)
}

async function reserve(ctx: Ctx, trx: Db, orgId: string, name: DomainName): Promise<Reservation> {
  const org = await orgForDomains(ctx, trx, orgId)
  const now = nowIso(ctx.clock)
  // Twice at most: a row seen gone, or a concurrent insert that won, is read again once.
  for (let attempt = 0; attempt < 3; attempt++) {
    const row = await findDomainByName(trx, ctx.store.dialect, name.ascii, 'update')
    if (row) {
      const stale = isStale(row, ctx.clock())
      if (row.org_id !== org.id) {
        if (!(row.status === 'pending' && stale)) throw new DomainError('already_exists', `domain ${name.ascii} is registered to another customer`)
        // Another customer's reservation whose process died: the name was never registered.
        await deleteDomainById(trx, row.id)
        continue
      }
      if (row.status === 'registered') return { held: true, registrar: row.registrar }
      if (!stale) {
        throw new DomainError('conflict', `domain ${name.ascii} is being ${row.status === 'pending' ? 'registered' : 'unregistered'} by another request; try again shortly`)
      }
      // This organisation's own reservation (or release) left behind: take it over.
      const registrar = await chooseRegistrar(ctx, trx, tldOf(name))
      const fence: DomainFence = { id: row.id, status: row.status as DomainFence['status'], updatedAt: row.updated_at }
      await updateDomainIf(trx, fence, { status: 'pending', registrar: registrar.name, updated_at: now })
      return { held: false, fence: { id: row.id, status: 'pending', updatedAt: now }, registrar, org }
    }
    const registrar = await chooseRegistrar(ctx, trx, tldOf(name))
    const id = newId()
    const inserted = await insertDomainIfFree(trx, {
      id,
      org_id: org.id,
      name: name.ascii,
      unicode_name: name.unicode,
      registrar: registrar.name,
      status: 'pending',
      created_at: now,
      updated_at: now,
    })
    if (inserted) return { held: false, fence: { id, status: 'pending', updatedAt: now }, registrar, org }
  }
  throw new DomainError('conflict', `domain ${name.ascii} is being claimed concurrently; try again`)
}

/** Releases a reservation the registrar did not confirm; a failure to do so is logged (it goes stale and is taken over later). */
async function release(ctx: Ctx, fence: DomainFence, domain: string): Promise<void> {
  try {
    await ctx.request!.undo((trx) => deleteDomainIf(trx, fence))
  } catch (err) {
    ctx.log.warn({ err, domain }, 'could not release a domain reservation; it is taken over once stale')
  }
}
