/**
 * Brings registrars' sealed secrets up to date with this process's keys (the registrars'
 * counterpart of `sealDriverSecrets`, to run after migrations at start).
 */
import type { Deps } from '../context.js'
import { isSealed, sealedKeyId } from '../../core/sealed.js'
import { listRegistrarRows, updateRegistrarConfig, type RegistrarRow } from '../../store/domains.repo.js'
import { registrarConfigAad } from '../../registrars/index.js'

/**
 * Re-seals registrar secrets sealed under an older key of the keyring under its first key.
 * Values under a key this process lacks are left as they are and answered (their key ids).
 * Idempotent; rows are re-read under lock in the write transaction, opened only when needed.
 */
export async function resealRegistrarSecrets(deps: Deps): Promise<{ sealed: number; unknownKeys: string[] }> {
  const keys = deps.secrets
  const unknownKeys = new Set<string>()
  const want = (r: RegistrarRow): string => {
    const config = JSON.parse(r.config) as Record<string, unknown>
    let changed = false
    for (const [k, v] of Object.entries(config)) {
      const kid = sealedKeyId(v)
      if (!isSealed(v) || kid === keys.ids[0]) continue
      if (!keys.ids.includes(kid!)) {
        unknownKeys.add(kid!)
        continue
      }
      config[k] = keys.seal(keys.open(v, registrarConfigAad(r.name, k)), registrarConfigAad(r.name, k))
      changed = true
    }
    return changed ? JSON.stringify(config) : r.config
  }
  const stale = (await listRegistrarRows(deps.store.db, deps.store.dialect)).some((r) => want(r) !== r.config)
  let sealed = 0
  if (stale) {
    sealed = await deps.store.write(async (trx) => {
      let n = 0
      for (const r of await listRegistrarRows(trx, deps.store.dialect, 'update')) {
        const text = want(r)
        if (text === r.config) continue
        await updateRegistrarConfig(trx, r.name, text)
        n++
      }
      return n
    })
  }
  return { sealed, unknownKeys: [...unknownKeys] }
}
