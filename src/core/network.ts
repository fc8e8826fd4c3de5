/** IP address pools and the addresses customers hold (see src/ops/network/README.md). */

export type IpFamily = 'ipv4' | 'ipv6'

/** A pool of addresses the master organisation defines. */
export interface IpPool {
  id: string
  name: string
  family: IpFamily
  /** The range in CIDR notation (`192.0.2.0/24`, `2001:db8::/64`). */
  cidr: string
  prefixLength: number
  /** IPv4: the dotted mask (`255.255.255.0`); IPv6: the prefix length as text (`64`). */
  netmask: string
  gateway: string
  /** The catalogue location's name, or null. */
  location: string | null
  /** Addresses given to customers from the pool. */
  allocated: number
  /** Addresses the pool can give at all (network, broadcast and gateway excluded), as decimal text: a /64 has 2^64 - 2. */
  capacity: string
  createdAt: string
  updatedAt: string
}

/** An address a customer holds, with what seed 001's `IPAddressDetails` names. */
export interface IpAddressDetails {
  address: string
  netmask: string
  prefixLength: number
  gateway: string
  /** The pool's name. */
  pool: string
  family: IpFamily
  /** When the customer was given it. */
  since: string
}
