import { randomBytes } from 'node:crypto'
import type { Deps } from '../context.js'
import { newId } from '../../core/ids.js'
import { hashSecret } from '../../core/passwords.js'
import { adjustCounts, findRootOrg, insertOrg } from '../../store/orgs.repo.js'
import { insertUser, usernameKey } from '../../store/users.repo.js'
import { nowIso } from '../../store/store.js'

/** The master organisation's name and code on first start. */
export const MASTER_NAME = 'Master Organisation'
export const MASTER_CODE = 'MO'

/**
 * Creates the master organisation and its superadmin `admin` on an empty database; does
 * nothing when a master organisation exists (a later start never changes them). The password
 * is `password` when given, otherwise a generated one, answered so the caller can print it
 * once. Safe against two processes starting together: the loser's insert fails the unique
 * code and it finds the winner's organisation.
 */
export async function ensureMaster(deps: Deps, password?: string): Promise<{ created: boolean; orgId: string; password?: string }> {
  const existing = await findRootOrg(deps.store.db)
  if (existing) return { created: false, orgId: existing.id }
  const pw = password && password.length > 0 ? password : randomBytes(15).toString('base64url')
  const hash = await hashSecret(pw)
  try {
    const orgId = await deps.store.write(async (trx) => {
      const again = await findRootOrg(trx)
      if (again) return null
      const now = nowIso(deps.clock)
      const row = await insertOrg(
        trx,
        {
          id: newId(),
          parent_id: null,
          code: MASTER_CODE,
          name: MASTER_NAME,
          description: '',
          address: '',
          city: '',
          country: '',
          contact_name: '',
          contact_email: '',
          primary_domain: '',
          billing_id: '',
          external_id: '',
          external_metadata: '{}',
          licensing_enabled: 0,
          skin_names: '[]',
          is_reseller: 1,
          status: 'active',
          enabled: 1,
          locale: 'en-GB',
          suspended_by: null,
          subscriptions_count: 0,
          websites_count: 0,
          created_at: now,
          updated_at: now,
          version: 1,
        },
        null,
      )
      await adjustCounts(trx, row.path, 'active', 1)
      await insertUser(trx, {
        id: newId(),
        org_id: row.id,
        username: 'admin',
        username_key: usernameKey('admin'),
        email: '',
        first_name: '',
        last_name: '',
        password_hash: hash,
        cred_version: 1,
        role: 'superadmin',
        enabled: 1,
        created_at: now,
        updated_at: now,
        version: 1,
      })
      return row.id
    })
    if (orgId) return { created: true, orgId, password: pw }
  } catch (e) {
    const root = await findRootOrg(deps.store.db)
    if (root) return { created: false, orgId: root.id }
    throw e
  }
  const root = await findRootOrg(deps.store.db)
  return { created: false, orgId: root!.id }
}
