/** IP ACL matching for API keys, through ipaddr.js. */
import ipaddr from 'ipaddr.js'
import { DomainError } from '../../core/errors.js'

/** Validates an ACL entry and answers it normalised (the address as ipaddr.js prints it). */
export function normaliseAcl(address: string, mask: number): { address: string; mask: number } {
  if (!ipaddr.isValid(address)) throw new DomainError('invalid_argument', `${address} is not an IP address`, { field: 'address' })
  const a = ipaddr.process(address)
  const max = a.kind() === 'ipv4' ? 32 : 128
  if (!Number.isInteger(mask) || mask < 0 || mask > max) {
    throw new DomainError('invalid_argument', `mask must be 0–${max} for an ${a.kind()} address`, { field: 'mask' })
  }
  return { address: a.toString(), mask }
}

/** True when `ip` lies in one of the entries. IPv4-mapped IPv6 addresses match IPv4 entries. */
export function ipAllowed(ip: string, entries: readonly { address: string; mask: number }[]): boolean {
  if (!ipaddr.isValid(ip)) return false
  const a = ipaddr.process(ip)
  for (const e of entries) {
    if (!ipaddr.isValid(e.address)) continue
    const net = ipaddr.process(e.address)
    if (net.kind() !== a.kind()) continue
    if (a.match(net, e.mask)) return true
  }
  return false
}
