import { Type } from 'typebox'

/** An id of the seed's integer kinds (notice, contact, contact method, subscription). */
export const IntId = Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER })
/** The seed's `options` maps: string to string, bounded. */
export const Options = Type.Record(Type.String({ minLength: 1, maxLength: 64 }), Type.String({ maxLength: 1000 }), { maxProperties: 20 })
export const OrgId = Type.String({ minLength: 1, maxLength: 64 })
