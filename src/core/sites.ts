/**
 * Sites (seed 001's `CP_Wizard`): a customer's site with its hostname and aliases, the one
 * container it runs in, its environments and, when asked for, its DNS records. Each part is
 * provisioned by a job of its own; the site follows them (see ops/sites/README.md).
 *
 * The catalogues below are built in: a container type, an operating system image and a size are
 * named by these names on every face (Thrift's `ContainerTypeId`, `OSId`, `ContainerSize`), and
 * any other name is `invalid_argument` naming its field.
 */
import type { ProvisioningStatus } from './provisioning.js'

/** What a container runs: its type names the stack the site is served by. */
export const CONTAINER_TYPES = [
  { id: 'static', description: 'Static files served by a web server' },
  { id: 'php', description: 'PHP-FPM behind a web server' },
  { id: 'node', description: 'A Node.js application behind a reverse proxy' },
  { id: 'python', description: 'A Python (WSGI/ASGI) application behind a reverse proxy' },
] as const

/** The operating system images a container may run. */
export const OS_IMAGES = [
  { id: 'debian-12', description: 'Debian 12 (bookworm)' },
  { id: 'ubuntu-24.04', description: 'Ubuntu 24.04 LTS' },
  { id: 'alpine-3.20', description: 'Alpine Linux 3.20' },
] as const

/** Container sizes: CPU and memory (disk is asked for separately, in MiB). */
export const CONTAINER_SIZES = [
  { id: 'small', cpus: 1, memoryMiB: 1024 },
  { id: 'medium', cpus: 2, memoryMiB: 4096 },
  { id: 'large', cpus: 4, memoryMiB: 16384 },
] as const

export type ContainerType = (typeof CONTAINER_TYPES)[number]['id']
export type OsImage = (typeof OS_IMAGES)[number]['id']
export type ContainerSize = (typeof CONTAINER_SIZES)[number]['id']

/** The most disk a container may ask for: 1 TiB, in MiB. */
export const MAX_DISK_MIB = 1_048_576
/** The most environments a site may have (at least one). */
export const MAX_ENVIRONMENTS = 10
/** The most aliases a site may have. */
export const MAX_ALIASES = 20

/** A container's or an environment's name: 1–64 characters `[A-Za-z0-9._-]`, starting with a letter or digit. */
export const PART_NAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$'

/** DNS record types the wizard writes: `A` for the site's hostname, `CNAME` for each alias. */
export type DnsRecordType = 'A' | 'AAAA' | 'CNAME'

export interface SiteContainer {
  id: string
  name: string
  type: ContainerType
  os: OsImage
  diskMiB: number
  size: ContainerSize
  status: ProvisioningStatus
  error: string | null
}

export interface SiteEnvironment {
  id: string
  name: string
  status: ProvisioningStatus
  error: string | null
}

export interface SiteDnsRecord {
  id: string
  name: string
  type: DnsRecordType
  /** The alias's target (the site's hostname) for a CNAME; for an A/AAAA record, the address the driver answered, once it has. */
  value: string | null
  status: ProvisioningStatus
  error: string | null
}

/** A site and its parts, each with its provisioning status. */
export interface Site {
  id: string
  orgId: string
  name: string
  /** In its ASCII (punycode) form, lower case. */
  hostname: string
  aliases: string[]
  /** `Requested` until its parts are all provisioned (`Provisioned`) or one fails (`Failed`). */
  status: ProvisioningStatus
  error: string | null
  /** The guid of the wizard's request (`GET /jobs/{guid}`). */
  requestGuid: string | null
  container: SiteContainer | null
  environments: SiteEnvironment[]
  dnsRecords: SiteDnsRecord[]
  createdAt: string
  updatedAt: string
}

/** A site as a list shows it: without its parts. */
export type SiteSummary = Omit<Site, 'container' | 'environments' | 'dnsRecords' | 'aliases'>
