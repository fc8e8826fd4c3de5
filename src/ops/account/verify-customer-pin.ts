import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { getOrgInScope, requireAncestor } from '../access.js'
import { DomainError } from '../../core/errors.js'
import { verifySecret } from '../../core/passwords.js'
import type { Role } from '../../core/roles.js'
import { findCustomerPinHash } from '../../store/account.repo.js'
import { throttleKeys, throttledCheck } from '../../store/throttle.repo.js'
import { requirePinFormat } from './change-customer-pin.js'

/** The roles that may check a customer's PIN: support staff and administrators. */
const VERIFIERS: readonly Role[] = ['superadmin', 'owner', 'admin', 'support']

/**
 * Answers whether `pin` is a customer's support PIN, for the staff of an organisation above it
 * (`forbidden` from the customer itself, or for a role other than support or an administrator).
 *
 * Throttled exactly as password guesses are (store/throttle.repo.ts): each check counts as a
 * failure *before* the PIN is compared, per customer and checking user; past the limit the call
 * answers `too_many_attempts` with `details.retryAfterSeconds` without comparing. A malformed
 * PIN is `invalid_argument` and a customer without one `failed_precondition`; neither counts.
 * Recorded as a request (who checked whose PIN, never the PIN).
 */
export const verifyCustomerPin = defineOp({
  name: 'customer.pin.verify',
  input: Type.Object({ orgId: Type.String(), pin: Type.String({ maxLength: 64 }) }, { additionalProperties: false }),
  async run(ctx, input): Promise<{ match: boolean }> {
    const org = await getOrgInScope(ctx, ctx.store.db, input.orgId)
    requireAncestor(ctx, org, "check a customer's PIN")
    if (!VERIFIERS.includes(ctx.actor.role)) throw new DomainError('forbidden', `role ${ctx.actor.role} may not check a customer's PIN`)
    requirePinFormat(input.pin)
    const hash = await findCustomerPinHash(ctx.store.db, org.id)
    if (hash === undefined) throw new DomainError('failed_precondition', 'the customer has no PIN')
    const keys = throttleKeys(ctx.secrets, `customer-pin\0${org.id}`, `user:${ctx.actor.userId}`)
    return { match: await throttledCheck(ctx.store, keys, ctx.clock, () => verifySecret(hash, input.pin)) }
  },
})
