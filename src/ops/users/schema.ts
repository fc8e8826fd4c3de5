import { Type } from 'typebox'
import { ROLES } from '../../core/roles.js'

/** 1–128 characters: letters, digits, `.`, `_`, `@`, `-`, starting with a letter or digit. */
export const Username = Type.String({ minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9][A-Za-z0-9._@+-]*$' })
/** 8–256 characters. */
export const Password = Type.String({ minLength: 8, maxLength: 256 })
export const RoleInput = Type.Enum(ROLES)
export const Email = Type.Union([Type.Literal(''), Type.String({ format: 'email', maxLength: 254 })])
export const PersonName = Type.String({ maxLength: 100 })

/** An expiry day `YYYY-MM-DD`, `NEVER` (any case) or null for never; checked by core/account.ts. */
export const ExpiryInput = Type.Union([Type.String({ maxLength: 32 }), Type.Null()])
/**
 * A change to a name → value map (SET semantics: a name given gets its value, `''` removes it,
 * names not given are kept); names and values are checked by core/account.ts `mergeProperties`.
 */
export const PropertyChange = Type.Record(Type.String({ maxLength: 200 }), Type.String({ maxLength: 4000 }), { maxProperties: 200 })
