/** The REST API's shapes the console reads (the OpenAPI document at /openapi.json is the whole truth). */
export interface Org {
  id: string
  number: number
  code: string
  name: string
  status: string
  isReseller: boolean
  isSuspended: boolean
  depth: number
  version: number
  description: string
  address: string
  city: string
  country: string
  contactName: string
  contactEmail: string
  primaryDomain: string
  externalId: string
  billingId: string
  parentId?: string | null
  subscriptionsCount: number
  createdAt: string
  updatedAt: string
  [k: string]: unknown
}

export interface Identity {
  user: { id: string; username: string; name: string; role: string; orgId: string }
  org: Org
}

export interface Page<T> {
  items: T[]
  total: number
}
