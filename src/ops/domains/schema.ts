/** Shared input pieces and shapes of domains and registrars. */
import { Type } from 'typebox'
export type { Domain } from '../../store/domains.repo.js'

/** A domain name as given: Unicode or ASCII, any case, checked and normalised by `normalizeDomain`. */
export const DomainInput = Type.String({ minLength: 1, maxLength: 1000 })

/** The customer's portal username or password, for the registrar alone: never stored, never shown. */
export const Credential = Type.String({ maxLength: 200 })

/** A registrar's name: lower case letters, digits, `-` and `_`, 1–63 characters. */
export const RegistrarName = Type.String({ minLength: 1, maxLength: 63, pattern: '^[a-z0-9][a-z0-9_-]*$' })

/** What registering or unregistering a domain answers (a type alias: plain data any face may encode). */
export type DomainChange = {
  /** The ASCII (punycode) form of the domain. */
  domain: string
  /** The registrar that holds (or held) it. */
  registrar: string
  /** On registering: true when it was registered now, false when the organisation already held it. */
  created?: boolean
}

/** A registrar as a reader sees it; the settings only for those who may change them. */
export interface Registrar {
  name: string
  driver: 'local' | 'webhook'
  url?: string
  timeoutSeconds?: number
  /** The webhook's signing secret: never shown, only whether it is set. */
  secret?: { set: true }
  tlds: string[]
  isDefault: boolean
  /** True for the built-in `local` registrar, which has no stored row. */
  builtIn: boolean
  createdAt?: string
  updatedAt?: string
}
