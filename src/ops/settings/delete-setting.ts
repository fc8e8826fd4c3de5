import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { DomainError } from '../../core/errors.js'
import { deleteSettingRow } from '../../store/settings.repo.js'
import { settingsOrg, SettingName } from './settings-access.js'

/** Removes one setting of a customer; `not_found` (resource `setting`) when it has none of that name. Needs `org.write`. */
export const deleteSetting = defineOp({
  name: 'setting.delete',
  input: Type.Object({ orgId: Type.String({ maxLength: 64 }), name: SettingName }, { additionalProperties: false }),
  async run(ctx, input): Promise<{ name: string }> {
    return ctx.store.write(async (trx) => {
      const org = await settingsOrg(ctx, trx, input.orgId, true)
      if (!(await deleteSettingRow(trx, org.id, input.name))) {
        throw new DomainError('not_found', `${org.name} has no setting ${input.name}`, { resource: 'setting' })
      }
      return { name: input.name }
    })
  },
})
