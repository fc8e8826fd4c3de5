/**
 * Address arithmetic for pools, through ipaddr.js: parsing and normalising addresses and
 * networks, an address as a BigInt and back, and the sortable key the store indexes. Nothing
 * here enumerates a range.
 */
import ipaddr from 'ipaddr.js'
import { DomainError } from '../../core/errors.js'
import type { IpFamily } from '../../core/network.js'

/** Prefix lengths a pool may have: IPv4 /16–/30 (at most 65,534 hosts), IPv6 /48–/126. */
export const PREFIX_BOUNDS: Record<IpFamily, { min: number; max: number }> = {
  ipv4: { min: 16, max: 30 },
  ipv6: { min: 48, max: 126 },
}

const BITS: Record<IpFamily, number> = { ipv4: 32, ipv6: 128 }

/** A parsed network: its family, network address and prefix length. */
export interface Network {
  family: IpFamily
  /** The network address as a number. */
  base: bigint
  prefix: number
}

/** Parses a host address (IPv4 as a dotted quad in decimal, or IPv6); `invalid_argument` otherwise. */
export function parseAddress(text: string, field: string): { family: IpFamily; value: bigint } {
  if (!ipaddr.IPv4.isValidFourPartDecimal(text) && !ipaddr.IPv6.isValid(text)) {
    throw new DomainError('invalid_argument', `${JSON.stringify(text)} is not an IP address`, { field })
  }
  const a = ipaddr.parse(text)
  if (a instanceof ipaddr.IPv6 && a.isIPv4MappedAddress()) {
    return { family: 'ipv4', value: bytesToBig(a.toIPv4Address().toByteArray()) }
  }
  return { family: a.kind() as IpFamily, value: bytesToBig(a.toByteArray()) }
}

/**
 * Parses a pool's range in CIDR notation; the address must be the network address itself
 * (`192.0.2.0/24`, not `192.0.2.7/24`) and the prefix within `PREFIX_BOUNDS`.
 */
export function parseNetwork(text: string, field: string): Network {
  const slash = text.indexOf('/')
  const maskText = slash < 0 ? '' : text.slice(slash + 1)
  if (slash < 0 || !/^\d{1,3}$/.test(maskText)) {
    throw new DomainError('invalid_argument', `${JSON.stringify(text)} is not a network in CIDR notation (192.0.2.0/24, 2001:db8::/64)`, { field })
  }
  const a = parseAddress(text.slice(0, slash), field)
  const prefix = Number(maskText)
  const b = PREFIX_BOUNDS[a.family]
  if (prefix < b.min || prefix > b.max) {
    throw new DomainError('invalid_argument', `an ${a.family} pool's prefix length must be /${b.min}–/${b.max}, not /${prefix}`, { field })
  }
  const host = hostMask(a.family, prefix)
  if ((a.value & host) !== 0n) {
    throw new DomainError('invalid_argument', `${text} is not a network address: did you mean ${format(a.family, a.value & ~host)}/${prefix}?`, { field })
  }
  return { family: a.family, base: a.value, prefix }
}

function hostMask(family: IpFamily, prefix: number): bigint {
  return (1n << BigInt(BITS[family] - prefix)) - 1n
}

/** The last address of the network (IPv4's broadcast address). */
export function lastOf(n: Network): bigint {
  return n.base | hostMask(n.family, n.prefix)
}

/** The first and last address a pool may give (network and IPv4 broadcast excluded); the gateway is skipped separately. */
export function usableRange(n: Network): { first: bigint; last: bigint } {
  return { first: n.base + 1n, last: n.family === 'ipv4' ? lastOf(n) - 1n : lastOf(n) }
}

/** How many addresses a pool can give: the usable range less the gateway. */
export function capacityOf(n: Network): bigint {
  const r = usableRange(n)
  return r.last - r.first + 1n - 1n
}

/** True when `value` (of `family`) lies in the network. */
export function contains(n: Network, family: IpFamily, value: bigint): boolean {
  return family === n.family && value >= n.base && value <= lastOf(n)
}

/** True when two networks share an address. */
export function overlaps(a: Network, b: Network): boolean {
  return a.family === b.family && a.base <= lastOf(b) && b.base <= lastOf(a)
}

/** The address as ipaddr.js prints it. */
export function format(family: IpFamily, value: bigint): string {
  const bytes: number[] = []
  for (let i = BITS[family] / 8 - 1; i >= 0; i--) bytes.push(Number((value >> BigInt(i * 8)) & 0xffn))
  return ipaddr.fromByteArray(bytes).toString()
}

/** The sortable key the store keeps (`4` + 8 hex digits, `6` + 32 hex digits). */
export function keyOf(family: IpFamily, value: bigint): string {
  return (family === 'ipv4' ? '4' : '6') + value.toString(16).padStart(BITS[family] / 4, '0')
}

/** The number a key stands for. */
export function valueOfKey(key: string): bigint {
  return BigInt('0x' + key.slice(1))
}

/** The mask as answered: IPv4 dotted (`255.255.255.0`), IPv6 the prefix length as text (`64`). */
export function netmaskOf(family: IpFamily, prefix: number): string {
  return family === 'ipv4' ? ipaddr.IPv4.subnetMaskFromPrefixLength(prefix).toString() : String(prefix)
}

/** The network in CIDR notation. */
export function cidrOf(n: Network): string {
  return `${format(n.family, n.base)}/${n.prefix}`
}

function bytesToBig(bytes: number[]): bigint {
  let v = 0n
  for (const b of bytes) v = (v << 8n) | BigInt(b)
  return v
}
