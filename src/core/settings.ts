/**
 * A customer's settings (seed 001's `SettingList`): a bounded list of name → value pairs that
 * belongs to the customer and means nothing to Clientele itself.
 */

/** One setting of a customer. */
export interface Setting {
  name: string
  value: string
  updatedAt: string
}

/** A setting's name: 1–64 characters of letters, digits, `_`, `.` and `-`. */
export const SETTING_NAME_PATTERN = '^[A-Za-z0-9_.-]{1,64}$'
/** The longest value a setting may hold, in characters. */
export const MAX_SETTING_VALUE = 4000
/** The most settings a customer may hold. */
export const MAX_SETTINGS = 200
