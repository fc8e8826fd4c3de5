import type { Deps } from '../context.js'
import { DomainError } from '../../core/errors.js'
import { isUuid } from '../../core/ids.js'
import { digest } from '../../core/secrets.js'
import { consumeEmailChange } from '../../store/account.repo.js'
import { findUserById, findUserWithOrgPath, updateUserRow } from '../../store/users.repo.js'
import { nowIso } from '../../store/store.js'
import { publicRequest } from '../auth/public-request.js'
import type { EmailChangeResult } from './change-customer-email.js'

const REFUSED = 'the e-mail confirmation token is unknown, used or expired; change the address again'

/**
 * Confirms a pending e-mail change (`customer.email.confirm`): the new address becomes the
 * owner's address. The call comes without credentials, as password recovery's do: the mailed
 * token is the credential, so this is a function of the dependencies, not a `defineOp`. The
 * token works once (taken by one conditional DELETE: of two concurrent confirmations one wins)
 * and until it expires; anything else is `invalid_argument` on `token`. Recorded as a request
 * acting as the owner (`via` `email-confirm`).
 */
export async function confirmEmailChange(deps: Deps, input: { token: string }): Promise<EmailChangeResult> {
  if (!isUuid(input.token)) throw new DomainError('invalid_argument', 'token must be a UUID', { field: 'token' })
  const hash = digest(input.token.toLowerCase())
  return deps.store.write(async (trx) => {
    const change = await consumeEmailChange(trx, hash, nowIso(deps.clock))
    const user = change ? await findUserById(trx, change.user_id) : undefined
    const where = user ? await findUserWithOrgPath(trx, user.id) : undefined
    if (!change || !user || !where) throw new DomainError('invalid_argument', REFUSED, { field: 'token' })
    if (!(await updateUserRow(trx, user.id, user.version, { email: change.new_email, updated_at: nowIso(deps.clock), version: user.version + 1 }))) {
      throw new DomainError('version_mismatch', 'the login changed meanwhile; try again')
    }
    await publicRequest(deps, trx, 'customer.email.confirm', { id: user.id, org_id: user.org_id, org_path: where.path }, 'email-confirm').done()
    return { current: change.new_email, pending: null, confirmationRequired: false }
  })
}
