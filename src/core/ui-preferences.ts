/** A login's panel preferences (seed 003's `UiPreferences`): plain, bounded data of one user. */

/** How a panel lists files and websites. */
export const UI_VIEW_KINDS = ['list', 'grid'] as const
export type UiViewKind = (typeof UI_VIEW_KINDS)[number]

/** The most server groups a login's preferences may name. */
export const MAX_UI_SERVER_GROUPS = 100

/** A login's panel preferences as the core sees them. */
export interface UiPreferences {
  /** The user (a Clientele user is one login). */
  userId: string
  fileManagerView: UiViewKind
  websiteView: UiViewKind
  spineOpen: boolean
  fileManagerEditorFullscreen: boolean
  /** Ids of server groups that existed when they were named; a group deleted since is left out. */
  serverGroups: string[]
  onboardingCardDismissed: boolean
  createdAt: string
  updatedAt: string
  version: number
}
