/** Cloud providers and the cloud accounts organisations hold on them (seed 002). */

/** A cloud provider of the catalogue, as the core sees it. */
export interface CloudProvider {
  id: string
  name: string
  /** Continues the name to tell apart providers of the same name (`name` + `disambiguation` is unique). */
  disambiguation: string
  /** The credential parameters a cloud account of this provider needs. */
  requiredCredentials: string[]
  /** Whether the provider can discover cloud accounts by itself. */
  discoverable: boolean
  /** The syntax used to deploy CSE deployments on this provider. */
  cseSyntax: string
  /** True when the provider cannot be used standalone. */
  standaloneIncompatible: boolean
  createdAt: string
}

/** A cloud account: an organisation's use of one cloud provider, with its resource counters. */
export interface CloudAccount {
  id: string
  orgId: string
  providerId: string
  name: string
  /** Servers in use on this account. */
  servers: number
  createdAt: string
}

/** The resources in use per cloud account of an organisation: account id → counters. */
export type ResourceUsage = Record<string, { servers: number }>
