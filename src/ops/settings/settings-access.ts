/**
 * What the settings operations share: the customer they act on, who may change its settings,
 * and the input schema of a setting.
 */
import { Type } from 'typebox'
import type { Ctx } from '../context.js'
import type { Db } from '../../store/store.js'
import type { OrgRow } from '../../store/orgs.repo.js'
import { DomainError } from '../../core/errors.js'
import { MAX_SETTING_VALUE, MAX_SETTINGS, SETTING_NAME_PATTERN } from '../../core/settings.js'
import { getOrgInScope, requirePermission } from '../access.js'

/** A setting's name: 1–64 characters of `[A-Za-z0-9_.-]`. */
export const SettingName = Type.String({ minLength: 1, maxLength: 64, pattern: SETTING_NAME_PATTERN })

/** One setting as input: a name and a value of at most 4000 characters. */
export const SettingInput = Type.Object(
  { name: SettingName, value: Type.String({ maxLength: MAX_SETTING_VALUE }) },
  { additionalProperties: false },
)

/** A list of settings as input (at most 200). */
export const SettingListInput = Type.Array(SettingInput, { maxItems: MAX_SETTINGS })

/**
 * Loads the customer whose settings are read or changed: any role of its subtree may read
 * (`not_found` outside it); `write` needs `org.write`, and a deleted customer is
 * `failed_precondition`.
 */
export async function settingsOrg(ctx: Ctx, db: Db, orgId: string, write: boolean): Promise<OrgRow> {
  const org = await getOrgInScope(ctx, db, orgId)
  if (write) {
    requirePermission(ctx, 'org.write')
    if (org.status === 'deleted') throw new DomainError('failed_precondition', `${org.name} is deleted`)
  }
  return org
}
