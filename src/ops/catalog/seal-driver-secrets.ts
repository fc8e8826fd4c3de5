/**
 * Brings stored driver secrets up to date with this process's keys, after migrations, at every
 * start (`createDeps` runs it with the store's `migrate()`). A migration cannot do it: the key
 * lives outside the database.
 */
import type { Deps } from '../context.js'
import { isDomainError } from '../../core/errors.js'
import { isSealed, sealedKeyId } from '../../core/sealed.js'
import { listServiceRows, updateServiceRow, type ServiceRow } from '../../store/catalog.repo.js'
import { rowLock } from '../../store/cloud.repo.js'
import { redactDriverConfig, sealDriverConfig } from './driver-secrets.js'

/**
 * Seals the secret driver settings still stored in clear (written before secrets were sealed)
 * and re-seals those sealed under an older key of the keyring under its first key. Values
 * sealed under a key this process lacks are left as they are, and a warning names their key
 * ids (every process of one database must be started with the same key).
 *
 * Idempotent and safe to run from several processes at once: rows are re-read under lock in
 * the write transaction, which is opened only when something needs sealing.
 */
export async function sealDriverSecrets(deps: Deps): Promise<{ sealed: number; unknownKeys: string[] }> {
  const keys = deps.secrets
  const want = (r: ServiceRow) => {
    try {
      return sealDriverConfig(keys, {
        serviceId: r.id,
        driver: r.driver,
        config: redactDriverConfig(r.driver, r.driver_config),
        stored: r.driver_config,
        field: 'driverConfig',
        rotate: true,
      })
    } catch (err) {
      // Settings from before this check (a literal {"set": true}) are left as they are.
      if (!isDomainError(err)) throw err
      return r.driver_config
    }
  }
  const unknownKeys = new Set<string>()
  let stale = false
  for (const r of await listServiceRows(deps.store.db)) {
    for (const v of Object.values(JSON.parse(r.driver_config) as Record<string, unknown>)) {
      const kid = isSealed(v) ? sealedKeyId(v)! : undefined
      if (kid !== undefined && !keys.ids.includes(kid)) unknownKeys.add(kid)
    }
    if (want(r) !== r.driver_config) stale = true
  }
  let sealed = 0
  if (stale) {
    sealed = await deps.store.write(async (trx) => {
      let n = 0
      for (const r of await listServiceRows(trx, rowLock(deps.store.dialect, 'update'))) {
        const text = want(r)
        if (text === r.driver_config) continue
        await updateServiceRow(trx, r.id, { driver_config: text })
        n++
      }
      return n
    })
    if (sealed > 0) deps.log.info({ services: sealed, key: keys.ids[0] }, 'sealed the driver secrets of services under the current secret key')
  }
  if (unknownKeys.size > 0) {
    deps.log.warn(
      { keyIds: [...unknownKeys], have: keys.ids, source: keys.source },
      'some driver secrets are sealed under a key this process does not have: their jobs fail until every process is started with the same secret key',
    )
  }
  return { sealed, unknownKeys: [...unknownKeys] }
}
