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

/**
 * Parses seed 003's allowed-IP text, an address (`203.0.113.7`, `2001:db8::1`) or a network in
 * CIDR notation (`10.0.0.0/8`), into a normalised ACL entry; a bare address is its own /32 or
 * /128. `field` names the input in the error.
 */
export function parseAllowedIp(text: string, field: string): { address: string; mask: number } {
  const slash = text.indexOf('/')
  const address = (slash < 0 ? text : text.slice(0, slash)).trim()
  const maskText = slash < 0 ? undefined : text.slice(slash + 1).trim()
  if (maskText !== undefined && !/^\d{1,3}$/.test(maskText)) {
    throw new DomainError('invalid_argument', `${field}: ${JSON.stringify(text)} is not an address or a CIDR network`, { field })
  }
  try {
    const full = ipaddr.IPv4.isValidFourPartDecimal(address) ? 32 : 128
    return normaliseAcl(address, maskText === undefined ? full : Number(maskText))
  } catch (e) {
    if (e instanceof DomainError) throw new DomainError('invalid_argument', `${field}: ${e.message}`, { field })
    throw e
  }
}

/** Writes an ACL entry as seed 003's allowed-IP text: the bare address for a single host, else CIDR. */
export function allowedIpText(e: { address: string; mask: number }): string {
  const full = e.address.includes(':') ? 128 : 32
  return e.mask === full ? e.address : `${e.address}/${e.mask}`
}
