/**
 * Brings organisations' sealed Slack webhook URLs up to date with this process's keys (the
 * organisations' counterpart of `resealRegistrarSecrets`, run after migrations at start).
 */
import type { Deps } from '../context.js'
import { sealedKeyId } from '../../core/sealed.js'
import { orgSlackWebhookAad } from '../../core/org.js'
import { listSlackWebhookRows, replaceSlackWebhookSealed, type SlackWebhookRow } from '../../store/orgs.repo.js'

/**
 * Re-seals Slack webhook URLs sealed under an older key of the keyring under its first key.
 * Values under a key this process lacks are left as they are and answered (their key ids).
 * Reads only the organisations that have one (a partial index); idempotent; rows are re-read
 * under lock in the write transaction, which is opened only when something needs re-sealing.
 */
export async function resealOrgSecrets(deps: Deps): Promise<{ sealed: number; unknownKeys: string[] }> {
  const keys = deps.secrets
  const unknownKeys = new Set<string>()
  const stale = (r: SlackWebhookRow): boolean => {
    const kid = sealedKeyId(r.slack_webhook_sealed)
    if (kid === undefined || kid === keys.ids[0]) return false
    if (!keys.ids.includes(kid)) {
      unknownKeys.add(kid)
      return false
    }
    return true
  }
  let sealed = 0
  if ((await listSlackWebhookRows(deps.store.db, deps.store.dialect)).some(stale)) {
    sealed = await deps.store.write(async (trx) => {
      let n = 0
      for (const r of await listSlackWebhookRows(trx, deps.store.dialect, true)) {
        if (!stale(r)) continue
        const aad = orgSlackWebhookAad(r.id)
        await replaceSlackWebhookSealed(trx, r.number, keys.seal(keys.open(r.slack_webhook_sealed, aad), aad))
        n++
      }
      return n
    })
  }
  if (sealed > 0) deps.log.info({ orgs: sealed, key: keys.ids[0] }, "re-sealed organisations' Slack webhook URLs under the current secret key")
  if (unknownKeys.size > 0) {
    deps.log.warn(
      { keyIds: [...unknownKeys], have: keys.ids, source: keys.source },
      "some organisations' Slack webhook URLs are sealed under a key this process does not have: start every process with the same secret key",
    )
  }
  return { sealed, unknownKeys: [...unknownKeys] }
}
