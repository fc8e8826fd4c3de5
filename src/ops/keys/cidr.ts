/** IP ACL matching for API keys, through ipaddr.js. */
import ipaddr from 'ipaddr.js'
import { DomainError } from '../../core/errors.js'

/**
 * Validates an ACL entry and answers it normalised (the address as ipaddr.js prints it).
 *
 * IPv4 addresses must be dotted quads in decimal: ipaddr.js also takes inet_aton's shorthand
 * (`10.1`, `1234`, octal `010.0.0.1`), which would silently fence the key to another network.
 * An IPv4-mapped IPv6 network of /96 or longer is stored as the IPv4 network it maps, since
 * callers' mapped addresses are compared in their IPv4 form.
 */
export function normaliseAcl(address: string, mask: number): { address: string; mask: number } {
  if (!ipaddr.IPv4.isValidFourPartDecimal(address) && !ipaddr.IPv6.isValid(address)) {
    throw new DomainError('invalid_argument', `${address} is not an IP address`, { field: 'address' })
  }
  const a = ipaddr.parse(address)
  const max = a.kind() === 'ipv4' ? 32 : 128
  if (!Number.isInteger(mask) || mask < 0 || mask > max) {
    throw new DomainError('invalid_argument', `mask must be 0–${max} for an ${a.kind()} address`, { field: 'mask' })
  }
  if (a instanceof ipaddr.IPv6 && a.isIPv4MappedAddress() && mask >= 96) {
    return { address: a.toIPv4Address().toString(), mask: mask - 96 }
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

/** Validates a host address (IPv4 as a dotted quad in decimal, or IPv6) and answers it as ipaddr.js prints it. */
export function normaliseHostAddress(address: string, field: string): string {
  if (!ipaddr.IPv4.isValidFourPartDecimal(address) && !ipaddr.IPv6.isValid(address)) {
    throw new DomainError('invalid_argument', `${address} is not an IP address`, { field })
  }
  return ipaddr.parse(address).toString()
}
