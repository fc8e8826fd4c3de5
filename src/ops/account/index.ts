/**
 * A customer's account (seed 001's listRoles, getUsername, changePassword, changePIN,
 * changeEmail): every operation of this folder, for a face to import from one place. The key
 * operations seed 001 also needs (createKey, getKeys, revokeKey, the key ACLs) are in
 * ../keys/keys.ts.
 */
export { listRoles, type RoleView } from './list-roles.js'
export { getCustomerUsername } from './get-customer-username.js'
export { changeCustomerPassword } from './change-customer-password.js'
export { changeCustomerPin } from './change-customer-pin.js'
export { verifyCustomerPin } from './verify-customer-pin.js'
export { changeCustomerEmail, EMAIL_CHANGE_TTL_MS, type EmailChangeResult } from './change-customer-email.js'
export { confirmEmailChange } from './confirm-email-change.js'
