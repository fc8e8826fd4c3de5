import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { DomainError } from '../../core/errors.js'
import { MAX_SETTINGS } from '../../core/settings.js'
import { nowIso } from '../../store/store.js'
import { listSettingRows, settingNames, toSetting, upsertSetting, type Setting } from '../../store/settings.repo.js'
import { settingsOrg, SettingListInput } from './settings-access.js'

/**
 * Sets settings of a customer (seed 001's `setSettings`). A merge: each setting named gets the
 * value given (created when new), settings not named are kept (`setting.delete` removes one).
 * Names are unique within the list (`invalid_argument`, field `settings`); the customer may
 * hold at most 200 settings afterwards (`failed_precondition`). All or nothing. Needs
 * `org.write`. Answers every setting of the customer afterwards.
 */
export const setSettings = defineOp({
  name: 'setting.set',
  input: Type.Object({ orgId: Type.String({ maxLength: 64 }), settings: SettingListInput }, { additionalProperties: false }),
  async run(ctx, input): Promise<{ items: Setting[]; total: number }> {
    const seen = new Set<string>()
    for (const s of input.settings) {
      if (seen.has(s.name)) throw new DomainError('invalid_argument', `setting ${s.name} is named twice`, { field: 'settings' })
      seen.add(s.name)
    }
    return ctx.store.write(async (trx) => {
      const org = await settingsOrg(ctx, trx, input.orgId, true)
      const names = new Set(await settingNames(trx, org.id))
      const after = names.size + [...seen].filter((n) => !names.has(n)).length
      if (after > MAX_SETTINGS) {
        throw new DomainError('failed_precondition', `${org.name} would hold ${after} settings; at most ${MAX_SETTINGS}`, { field: 'settings' })
      }
      const now = nowIso(ctx.clock)
      for (const s of input.settings) await upsertSetting(trx, org.id, s.name, s.value, now)
      const items = (await listSettingRows(trx, org.id)).map(toSetting)
      return { items, total: items.length }
    })
  },
})
