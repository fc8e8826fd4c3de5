/**
 * Input fields of cloud providers and cloud accounts, shared by the operations that create and
 * change them. Limits: names 1–200 characters, disambiguation 200, CSE syntax 100, at most 50
 * distinct required credentials of 1–100 characters, server counters 0–1,000,000,000.
 */
import { Type } from 'typebox'

const Name = Type.String({ minLength: 1, maxLength: 200, pattern: '\\S' })

export const ProviderName = Name

/** The optional fields of a provider (all but its name), in the seed's meaning. */
export const ProviderFields = {
  disambiguation: Type.Optional(Type.String({ maxLength: 200 })),
  requiredCredentials: Type.Optional(
    Type.Array(Type.String({ minLength: 1, maxLength: 100, pattern: '\\S' }), { maxItems: 50, uniqueItems: true }),
  ),
  discoverable: Type.Optional(Type.Boolean()),
  cseSyntax: Type.Optional(Type.String({ maxLength: 100 })),
  standaloneIncompatible: Type.Optional(Type.Boolean()),
}

export const AccountName = Name

/** A resource counter of a cloud account. */
export const ServerCount = Type.Integer({ minimum: 0, maximum: 1_000_000_000 })
