import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { getOrgInScope } from '../access.js'
import { DomainError } from '../../core/errors.js'
import { hashSecret } from '../../core/passwords.js'
import { upsertCustomerPin } from '../../store/account.repo.js'
import { nowIso } from '../../store/store.js'
import { requireAccountManager } from './owner-access.js'

/** A support PIN: 4 to 12 digits. */
export const PIN_RE = /^[0-9]{4,12}$/

/** Throws `invalid_argument` (never repeating the value) unless `pin` is 4 to 12 digits. */
export function requirePinFormat(pin: string): void {
  if (!PIN_RE.test(pin)) throw new DomainError('invalid_argument', 'pin must be 4 to 12 digits', { field: 'pin' })
}

/**
 * Sets a customer's support PIN (seed 001's `changePIN`): the secret the customer tells support
 * staff to prove who it is (`customer.pin.verify`); not the login PIN mailed for the second
 * factor. Stored as an argon2id hash, never answered or logged. Who may: as for the password
 * (`requireAccountManager`).
 */
export const changeCustomerPin = defineOp({
  name: 'customer.pin.change',
  input: Type.Object({ orgId: Type.String(), pin: Type.String({ maxLength: 64 }) }, { additionalProperties: false }),
  async run(ctx, input): Promise<void> {
    requirePinFormat(input.pin)
    const org = await getOrgInScope(ctx, ctx.store.db, input.orgId)
    requireAccountManager(ctx, org)
    const pinHash = await hashSecret(input.pin)
    await ctx.store.write(async (trx) => {
      await getOrgInScope(ctx, trx, org.id)
      await upsertCustomerPin(trx, org.id, pinHash, nowIso(ctx.clock))
    })
  },
})
