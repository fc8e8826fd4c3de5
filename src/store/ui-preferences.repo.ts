/** Logins' panel preferences (`ui_preferences`), one row per user. */
import type { Db } from './store.js'
import type { UiPreferencesTable } from './schema.js'
import type { UiPreferences, UiViewKind } from '../core/ui-preferences.js'
export type { UiPreferences } from '../core/ui-preferences.js'

/** Maps a stored row to UiPreferences, keeping only the server groups in `existing` (all when omitted). */
export function toUiPreferences(r: UiPreferencesTable, existing?: ReadonlySet<string>): UiPreferences {
  const groups = JSON.parse(r.server_groups) as string[]
  return {
    userId: r.user_id,
    fileManagerView: r.file_manager_view as UiViewKind,
    websiteView: r.website_view as UiViewKind,
    spineOpen: r.spine_open === 1,
    fileManagerEditorFullscreen: r.file_manager_editor_fullscreen === 1,
    serverGroups: existing ? groups.filter((g) => existing.has(g)) : groups,
    onboardingCardDismissed: r.onboarding_card_dismissed === 1,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    version: r.version,
  }
}

/** Finds the preferences of user `userId`. */
export function findUiPreferencesRow(db: Db, userId: string): Promise<UiPreferencesTable | undefined> {
  return db.selectFrom('ui_preferences').selectAll().where('user_id', '=', userId).executeTakeFirst()
}

/** Inserts a user's preferences; a user that has some already is a unique violation (wrap in `mapUnique`). */
export async function insertUiPreferences(db: Db, row: UiPreferencesTable): Promise<void> {
  await db.insertInto('ui_preferences').values(row).execute()
}

/** The preference columns an update may change. */
export type UiPreferencesPatch = Partial<Omit<UiPreferencesTable, 'user_id' | 'created_at'>>

/** Applies `patch` to the preferences of `userId` if still at `expectedVersion`; answers whether they were. */
export async function updateUiPreferencesRow(db: Db, userId: string, expectedVersion: number, patch: UiPreferencesPatch): Promise<boolean> {
  const res = await db.updateTable('ui_preferences').set(patch).where('user_id', '=', userId).where('version', '=', expectedVersion).executeTakeFirst()
  return Number(res.numUpdatedRows) !== 0
}

/** Which of `ids` name server groups that exist. */
export async function existingServerGroupIds(db: Db, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set()
  const rows = await db.selectFrom('server_groups').select('id').where('id', 'in', ids).execute()
  return new Set(rows.map((r) => r.id))
}
