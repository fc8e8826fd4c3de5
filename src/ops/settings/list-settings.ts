import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { listSettingRows, toSetting, type Setting } from '../../store/settings.repo.js'
import { settingsOrg } from './settings-access.js'

/**
 * Lists a customer's settings by name (seed 001's `getSettings`). Any role of the customer's
 * subtree may read; another tenant's customer is `not_found`.
 */
export const listSettings = defineOp({
  name: 'setting.list',
  input: Type.Object({ orgId: Type.String({ maxLength: 64 }) }, { additionalProperties: false }),
  async run(ctx, input): Promise<{ items: Setting[]; total: number }> {
    const db = ctx.store.db
    const org = await settingsOrg(ctx, db, input.orgId, false)
    const items = (await listSettingRows(db, org.id)).map(toSetting)
    return { items, total: items.length }
  },
})
