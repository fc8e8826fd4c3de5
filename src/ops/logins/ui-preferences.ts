/**
 * A login's panel preferences (seed 003's `setUiPreferences`, `getUiPreferences`,
 * `updateUiPreferences`): plain data of the calling user — whoever calls, with whatever role,
 * reads and writes only their own.
 */
import { Type } from 'typebox'
import { defineOp, type Ctx } from '../context.js'
import { DomainError } from '../../core/errors.js'
import { MAX_UI_SERVER_GROUPS, UI_VIEW_KINDS, type UiPreferences } from '../../core/ui-preferences.js'
import type { Db } from '../../store/store.js'
import { mapUnique, nowIso } from '../../store/store.js'
import {
  existingServerGroupIds,
  findUiPreferencesRow,
  insertUiPreferences,
  toUiPreferences,
  updateUiPreferencesRow,
  type UiPreferencesPatch,
} from '../../store/ui-preferences.repo.js'

const ViewKind = Type.Enum(UI_VIEW_KINDS)
const ServerGroups = Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: MAX_UI_SERVER_GROUPS, uniqueItems: true })

/** Throws `invalid_argument` unless every id names a server group that exists. */
async function requireServerGroups(db: Db, ids: readonly string[]): Promise<void> {
  const found = await existingServerGroupIds(db, ids)
  const missing = ids.find((id) => !found.has(id))
  if (missing !== undefined) throw new DomainError('invalid_argument', `serverGroups: no server group ${JSON.stringify(missing)}`, { field: 'serverGroups' })
}

/** The preferences of the actor's user as stored, with the server groups deleted since left out. */
async function answer(db: Db, ctx: Ctx): Promise<UiPreferences | undefined> {
  const row = await findUiPreferencesRow(db, ctx.actor.userId)
  if (!row) return undefined
  const all = JSON.parse(row.server_groups) as string[]
  return toUiPreferences(row, await existingServerGroupIds(db, all))
}

/**
 * Sets the actor's panel preferences for the first time (`already_exists` when it has them:
 * change them with `updateUiPreferences`). `serverGroups` must name server groups that exist
 * (at most `MAX_UI_SERVER_GROUPS`, each once); `onboardingCardDismissed` starts false.
 */
export const setUiPreferences = defineOp({
  name: 'ui_preferences.set',
  input: Type.Object(
    {
      fileManagerView: ViewKind,
      websiteView: ViewKind,
      spineOpen: Type.Boolean(),
      fileManagerEditorFullscreen: Type.Boolean(),
      serverGroups: ServerGroups,
    },
    { additionalProperties: false },
  ),
  async run(ctx, input): Promise<UiPreferences> {
    const userId = ctx.actor.userId
    return ctx.store.write(async (trx) => {
      if (await findUiPreferencesRow(trx, userId)) throw new DomainError('already_exists', 'this login has UI preferences already; change them with PATCH')
      await requireServerGroups(trx, input.serverGroups)
      const now = nowIso(ctx.clock)
      const row = {
        user_id: userId,
        file_manager_view: input.fileManagerView,
        website_view: input.websiteView,
        spine_open: input.spineOpen ? 1 : 0,
        file_manager_editor_fullscreen: input.fileManagerEditorFullscreen ? 1 : 0,
        server_groups: JSON.stringify(input.serverGroups),
        onboarding_card_dismissed: 0,
        created_at: now,
        updated_at: now,
        version: 1,
      }
      await mapUnique(() => insertUiPreferences(trx, row), () => 'this login has UI preferences already; change them with PATCH')
      return toUiPreferences(row)
    })
  },
})

/** The actor's panel preferences; `not_found` until they are set. */
export const getUiPreferences = defineOp({
  name: 'ui_preferences.get',
  input: Type.Object({}, { additionalProperties: false }),
  async run(ctx): Promise<UiPreferences> {
    const p = await answer(ctx.store.db, ctx)
    if (!p) throw new DomainError('not_found', 'this login has no UI preferences yet; set them with POST')
    return p
  },
})

/**
 * Changes the given fields of the actor's panel preferences (`not_found` until they are set).
 * `serverGroups` replaces the list, under the same rules as when set.
 */
export const updateUiPreferences = defineOp({
  name: 'ui_preferences.update',
  input: Type.Object(
    {
      fileManagerView: Type.Optional(ViewKind),
      websiteView: Type.Optional(ViewKind),
      spineOpen: Type.Optional(Type.Boolean()),
      fileManagerEditorFullscreen: Type.Optional(Type.Boolean()),
      serverGroups: Type.Optional(ServerGroups),
      onboardingCardDismissed: Type.Optional(Type.Boolean()),
    },
    { additionalProperties: false },
  ),
  async run(ctx, input): Promise<UiPreferences> {
    const userId = ctx.actor.userId
    return ctx.store.write(async (trx) => {
      const row = await findUiPreferencesRow(trx, userId)
      if (!row) throw new DomainError('not_found', 'this login has no UI preferences yet; set them with POST')
      if (input.serverGroups !== undefined) await requireServerGroups(trx, input.serverGroups)
      const set: UiPreferencesPatch = { updated_at: nowIso(ctx.clock), version: row.version + 1 }
      if (input.fileManagerView !== undefined) set.file_manager_view = input.fileManagerView
      if (input.websiteView !== undefined) set.website_view = input.websiteView
      if (input.spineOpen !== undefined) set.spine_open = input.spineOpen ? 1 : 0
      if (input.fileManagerEditorFullscreen !== undefined) set.file_manager_editor_fullscreen = input.fileManagerEditorFullscreen ? 1 : 0
      if (input.serverGroups !== undefined) set.server_groups = JSON.stringify(input.serverGroups)
      if (input.onboardingCardDismissed !== undefined) set.onboarding_card_dismissed = input.onboardingCardDismissed ? 1 : 0
      if (!(await updateUiPreferencesRow(trx, userId, row.version, set))) throw new DomainError('conflict', 'the UI preferences changed meanwhile; try again')
      return (await answer(trx, ctx))!
    })
  },
})
