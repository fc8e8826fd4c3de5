/**
 * The domain operations the faces call, in one place (each lives in its own file): register,
 * unregister and list an organisation's domain names.
 */
export { registerDomain } from './register-domain.js'
export { unregisterDomain } from './unregister-domain.js'
export { listDomains } from './list-domains.js'
export type { Domain, DomainChange } from './schema.js'
