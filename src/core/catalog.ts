/** The service catalogue: services, their packages, user plans and properties, and locations. */

/** A user limit: a positive number of users, or none. */
export type UserLimit = number | 'Unlimited'

/** A service of the catalogue, as the core sees it. */
export interface Service {
  id: string
  /** The short name clients use (`HE`), unique case-insensitively. */
  name: string
  displayName: string
  version: string
  description: string
  /** The provisioning driver's name (`noop` by default). */
  driver: string
  /** The driver's settings, secrets as `{"set": true}`; left out where the reader may not see them (see ops/catalog). */
  driverConfig?: Record<string, unknown>
  /** Whether a user may hold several of the service's user plans at once. */
  multipleUserPlans: boolean
  createdAt: string
  updatedAt: string
}

/** A package of a service (a customer-level option, `Basic`). */
export interface ServicePackage {
  id: string
  serviceId: string
  name: string
  displayName: string
  description: string
  createdAt: string
  updatedAt: string
}

/** A user plan of a service (the seed's `userplan`, formerly `userpackage`). */
export interface UserPlan {
  id: string
  serviceId: string
  name: string
  fullname: string
  userlimit: UserLimit
  createdAt: string
  updatedAt: string
}

/** A named value; hidden ones are shown only on request (the seed's `filter="all"`). */
export interface CatalogProperty {
  name: string
  value: string
  hidden: boolean
}

/** A property of a service. */
export interface ServiceProperty extends CatalogProperty {
  id: string
  serviceId: string
  createdAt: string
  updatedAt: string
}

/** A location (an Active Directory location of the seed) and the services offered there. */
export interface Location {
  id: string
  name: string
  description: string
  /** Names of the services offered here, sorted. */
  services: string[]
  /** The properties a customer in this location has. */
  customerProperties: CatalogProperty[]
  /** The additional (Active Directory) properties a user in this location has. */
  userAdditionalProperties: CatalogProperty[]
  createdAt: string
  updatedAt: string
}
