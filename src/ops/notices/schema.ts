import { Type } from 'typebox'

/** An id of the seed's integer kinds (notice, contact, contact method, subscription). */
/** A row id: the tables number rows with 32-bit integers on PostgreSQL, so a larger one is malformed, never looked up. */
export const IntId = Type.Integer({ minimum: 1, maximum: 2147483647 })
/** The seed's `options` maps: string to string, bounded. */
export const Options = Type.Record(Type.String({ minLength: 1, maxLength: 64 }), Type.String({ maxLength: 1000 }), { maxProperties: 20 })
export const OrgId = Type.String({ minLength: 1, maxLength: 64 })
