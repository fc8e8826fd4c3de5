/** Plans, the servers they place on, and subscriptions with the resources they draw. */

/** A resource of a plan or subscription: `total` absent is unlimited. */
export interface PlanResource {
  name: string
  total?: number
}

/** Servers chosen by role; every field optional. */
export interface DedicatedServers {
  appServerId?: string
  backupServerId?: string
  dbServerId?: string
  emailServerId?: string
}

/** Where a plan's or subscription's resources go: a server group, or servers by role, or neither. */
export interface Placement {
  serverGroupId?: string
  dedicatedServers?: DedicatedServers
}

export type PlanType = 'hosting' | 'reseller'

/** A plan as the core sees it. */
export interface Plan extends Placement {
  id: number
  orgId: string
  name: string
  planType: PlanType
  resources: PlanResource[]
  subscriptionsCount: number
  createdAt: string
  updatedAt: string
  version: number
}

/** A server as the core sees it. */
export interface Server {
  id: string
  name: string
  serverGroupId?: string
  roles: string[]
  createdAt: string
  updatedAt: string
  version: number
}

/** A server group as the core sees it. */
export interface ServerGroup {
  id: string
  name: string
  serverIds: string[]
  createdAt: string
  updatedAt: string
  version: number
}

/** The statuses of a subscription; `deleted` is final (a soft delete). */
export const SUBSCRIPTION_STATUSES = ['active', 'cancelled', 'deleted'] as const

export type SubscriptionStatus = (typeof SUBSCRIPTION_STATUSES)[number]

/** A resource of a subscription: `total` absent is unlimited. */
export interface UsedResource {
  name: string
  total?: number
  usage: number
}

/** A subscription as the core sees it. */
export interface Subscription extends Placement {
  id: number
  planId: number
  planName: string
  planType: PlanType
  subscriberId: string
  vendorId: string
  status: SubscriptionStatus
  isSuspended: boolean
  suspendedBy?: string
  friendlyName: string
  resources: UsedResource[]
  /** Where its websites go: its own servers, its plan's, or the placement rule. */
  placement: 'subscription' | 'plan' | 'automatic'
  createdAt: string
  updatedAt: string
  version: number
}
