/**
 * What the site operations share: the customer they act on, the input schemas of a site's
 * fields, the checks of the wizard's input that a schema cannot make (hostnames, catalogues,
 * duplicates), and the catalogue service whose driver provisions sites.
 */
import { Type } from 'typebox'
import type { Ctx } from '../context.js'
import type { Db } from '../../store/store.js'
import type { OrgRow } from '../../store/orgs.repo.js'
import { DomainError } from '../../core/errors.js'
import { newId } from '../../core/ids.js'
import {
  CONTAINER_SIZES,
  CONTAINER_TYPES,
  MAX_ALIASES,
  MAX_DISK_MIB,
  MAX_ENVIRONMENTS,
  OS_IMAGES,
  PART_NAME_PATTERN,
  type ContainerSize,
  type ContainerType,
  type OsImage,
} from '../../core/sites.js'
import { catalogKey, findServiceByName, insertServiceIfAbsent, type ServiceRow } from '../../store/catalog.repo.js'
import { rowLock } from '../../store/cloud.repo.js'
import { getOrgInScope, requirePermission } from '../access.js'
import { normalizeDomain } from '../domains/domain-name.js'

// Printable text with at least one non-space character (no tabs or line breaks either).
const PRINTABLE = '^(?=.*\\S)[^\\x00-\\x1f\\x7f]+$'

export const OrgId = Type.String({ maxLength: 64 })
export const SiteId = Type.String({ maxLength: 64 })
/** A site's name (seed 001's `SiteName`): 1–100 printable characters, unique per customer whatever its case. */
export const SiteName = Type.String({ minLength: 1, maxLength: 100, pattern: PRINTABLE })
/** A hostname as given: checked and normalised by `normalizeDomain` (IDN → punycode, lower case). */
export const Hostname = Type.String({ minLength: 1, maxLength: 300 })
/** A container's or an environment's name: 1–64 characters `[A-Za-z0-9._-]`, starting with a letter or digit. */
export const PartName = Type.String({ minLength: 1, maxLength: 64, pattern: PART_NAME_PATTERN })
/** A catalogue name (container type, OS image, size): checked against core/sites.ts. */
export const CatalogueName = Type.String({ minLength: 1, maxLength: 64 })

/**
 * The catalogue service whose driver provisions every site part (noop, webhook, … with its
 * `driverConfig`, set by the master organisation like any service's). The first wizard creates
 * it with the `noop` driver when the catalogue has none.
 */
export const SITE_SERVICE = 'sites'

/**
 * Loads the customer whose sites are read or changed: any role of its subtree may read
 * (`not_found` outside it); `write` needs `org.write`, and a deleted customer is
 * `failed_precondition`.
 */
export async function siteOrg(ctx: Ctx, db: Db, orgId: string, write: boolean): Promise<OrgRow> {
  const org = await getOrgInScope(ctx, db, orgId)
  if (write) {
    requirePermission(ctx, 'org.write')
    if (org.status === 'deleted') throw new DomainError('failed_precondition', `${org.name} is deleted`)
  }
  return org
}

/** The wizard's input as checked: hostnames normalised, catalogue names known, names unique. */
export interface CheckedWizard {
  hostname: string
  aliases: string[]
  containerType: ContainerType
  os: OsImage
  size: ContainerSize
  environments: string[]
}

function inCatalogue<T extends string>(list: readonly { id: T }[], value: string, field: string, what: string): T {
  const hit = list.find((e) => e.id === value)
  if (!hit) throw new DomainError('invalid_argument', `${field}: unknown ${what} ${JSON.stringify(value.slice(0, 64))}; one of ${list.map((e) => e.id).join(', ')}`, { field })
  return hit.id
}

/**
 * Checks what the wizard's schema cannot: hostname and aliases are valid hostnames (IDN
 * allowed, stored in ASCII), no alias twice nor equal to the hostname; the container's type, OS
 * image and size are catalogue names; disk is 1 MiB–1 TiB; 1–10 environments, none twice
 * (whatever the case). Throws `invalid_argument` naming the field; changes nothing.
 */
export function checkWizard(input: {
  siteHostname: string
  aliasNames?: string[] | undefined
  containerType: string
  containerOSId: string
  containerSize: string
  containerDiskSpace: number
  environmentNames: string[]
}): CheckedWizard {
  const bad = (field: string, message: string): never => {
    throw new DomainError('invalid_argument', `${field}: ${message}`, { field })
  }
  const hostname = normalizeDomain(input.siteHostname, 'siteHostname').ascii
  const aliases: string[] = []
  for (const a of input.aliasNames ?? []) {
    const ascii = normalizeDomain(a, 'aliasNames').ascii
    if (ascii === hostname) bad('aliasNames', `${JSON.stringify(a)} is the site's hostname`)
    if (aliases.includes(ascii)) bad('aliasNames', `${JSON.stringify(a)} is given twice`)
    aliases.push(ascii)
  }
  if (aliases.length > MAX_ALIASES) bad('aliasNames', `at most ${MAX_ALIASES} aliases`)
  const containerType = inCatalogue(CONTAINER_TYPES, input.containerType, 'containerType', 'container type')
  const os = inCatalogue(OS_IMAGES, input.containerOSId, 'containerOSId', 'operating system')
  const size = inCatalogue(CONTAINER_SIZES, input.containerSize, 'containerSize', 'container size')
  const disk = input.containerDiskSpace
  if (!Number.isSafeInteger(disk) || disk < 1 || disk > MAX_DISK_MIB) bad('containerDiskSpace', `must be a whole number of MiB from 1 to ${MAX_DISK_MIB}`)
  const envs = input.environmentNames
  if (envs.length < 1 || envs.length > MAX_ENVIRONMENTS) bad('environmentNames', `give 1 to ${MAX_ENVIRONMENTS} environments`)
  const seen = new Set<string>()
  for (const e of envs) {
    if (seen.has(e.toLowerCase())) bad('environmentNames', `${JSON.stringify(e)} is given twice`)
    seen.add(e.toLowerCase())
  }
  return { hostname, aliases, containerType, os, size, environments: [...envs] }
}

/**
 * The catalogue service `sites`, created with the `noop` driver when absent, share-locked on
 * PostgreSQL so that it is not deleted under the jobs being queued.
 */
export async function siteService(ctx: Ctx, trx: Db): Promise<ServiceRow> {
  const lock = rowLock(ctx.store.dialect, 'share')
  const found = await findServiceByName(trx, SITE_SERVICE, lock)
  if (found) return found
  const now = new Date(ctx.clock()).toISOString()
  await insertServiceIfAbsent(trx, {
    id: newId(),
    name: SITE_SERVICE,
    name_key: catalogKey(SITE_SERVICE),
    display_name: 'Sites',
    version: '',
    description: 'Provisions the sites of the Control Panel wizard (containers, environments, DNS records): set its driver to provision them for real.',
    driver: 'noop',
    driver_config: '{}',
    multiple_user_plans: 0,
    created_at: now,
    updated_at: now,
  })
  const made = await findServiceByName(trx, SITE_SERVICE, lock)
  if (!made) throw new DomainError('internal', 'the sites service could not be created')
  return made
}
