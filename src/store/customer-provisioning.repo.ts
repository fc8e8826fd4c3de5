/**
 * What a customer's provisioning status change reads: the services a customer holds (not
 * `NotProvisioned`) and the user services of them, locked against concurrent changes (`FOR
 * UPDATE` on PostgreSQL; SQLite's write transaction already excludes every other writer).
 */
import type { Db, Dialect } from './store.js'
import type { CustomerServiceRow, UserServiceRow } from './services.repo.js'

/** A customer service the customer holds, with its catalogue service's name. */
export type HeldCustomerService = CustomerServiceRow & { service_name: string }
/** A user service held, with its user's name and address. */
export type HeldUserService = UserServiceRow & { username: string; user_email: string }

/** Lists the customer services of `orgId` that are not `NotProvisioned`, by service name, locked. */
export async function listHeldCustomerServicesLocked(db: Db, dialect: Dialect, orgId: string): Promise<HeldCustomerService[]> {
  let q = db
    .selectFrom('customer_services')
    .innerJoin('services', 'services.id', 'customer_services.service_id')
    .selectAll('customer_services')
    .select('services.name as service_name')
    .where('customer_services.org_id', '=', orgId)
    .where('customer_services.status', '!=', 'NotProvisioned')
    .orderBy('services.name')
  if (dialect === 'postgres') q = q.forUpdate('customer_services')
  return q.execute()
}

/** Lists the user services of `customerServiceId` that are not `NotProvisioned`, by username, locked. */
export async function listHeldUserServicesLocked(db: Db, dialect: Dialect, customerServiceId: string): Promise<HeldUserService[]> {
  let q = db
    .selectFrom('user_services')
    .innerJoin('users', 'users.id', 'user_services.user_id')
    .selectAll('user_services')
    .select(['users.username', 'users.email as user_email'])
    .where('user_services.customer_service_id', '=', customerServiceId)
    .where('user_services.status', '!=', 'NotProvisioned')
    .orderBy('users.username')
  if (dialect === 'postgres') q = q.forUpdate('user_services')
  return q.execute()
}
