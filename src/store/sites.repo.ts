/**
 * Sites and their parts as stored (`sites`, `site_aliases`, `site_containers`,
 * `site_environments`, `site_dns_records`), and what a part's provisioning job does to it and to
 * its site (`siteSubjectHandlers`). Knows SQL and nothing of actors or rules: see src/ops/sites/.
 */
import type { Db } from './store.js'
import type { SiteContainerTable, SiteDnsRecordTable, SiteEnvironmentTable, SiteTable } from './schema.js'
import { JOB_STEP_STATUS, type JobEvent, type JobEventInfo, type JobSubjectHandler } from '../core/jobs.js'
import type { ProvisioningStatus } from '../core/provisioning.js'
import type { ContainerSize, ContainerType, DnsRecordType, OsImage, Site, SiteContainer, SiteDnsRecord, SiteEnvironment, SiteSummary } from '../core/sites.js'
import { followChildRequest } from './requests.repo.js'

export type { Site, SiteSummary } from '../core/sites.js'
export type SiteRow = SiteTable

/** Everything the wizard writes for one site, in one transaction. */
export interface NewSite {
  site: SiteTable
  aliases: string[]
  container: SiteContainerTable
  environments: SiteEnvironmentTable[]
  dnsRecords: SiteDnsRecordTable[]
}

/** Inserts a site with its aliases and parts (unique violations surface to the caller's `mapUnique`). */
export async function insertSite(db: Db, s: NewSite): Promise<void> {
  await db.insertInto('sites').values(s.site).execute()
  if (s.aliases.length > 0) await db.insertInto('site_aliases').values(s.aliases.map((name) => ({ site_id: s.site.id, name }))).execute()
  await db.insertInto('site_containers').values(s.container).execute()
  await db.insertInto('site_environments').values(s.environments).execute()
  if (s.dnsRecords.length > 0) await db.insertInto('site_dns_records').values(s.dnsRecords).execute()
}

/** Sets the request of a site part's job (`table` names the part's kind). */
export async function setPartRequest(db: Db, table: PartTable, id: string, requestId: number): Promise<void> {
  await db.updateTable(table).set({ request_id: requestId }).where('id', '=', id).execute()
}

/** The site `id` of `orgId`, or undefined (also when it belongs to another customer). */
export function findSiteRow(db: Db, orgId: string, id: string): Promise<SiteRow | undefined> {
  return db.selectFrom('sites').selectAll().where('id', '=', id).where('org_id', '=', orgId).executeTakeFirst()
}

/** The site `id` of whichever customer, or undefined. */
export function findSiteById(db: Db, id: string): Promise<SiteRow | undefined> {
  return db.selectFrom('sites').selectAll().where('id', '=', id).executeTakeFirst()
}

/** The site of `orgId` named `name` (whatever its case), or undefined. */
export function findSiteByName(db: Db, orgId: string, name: string): Promise<SiteRow | undefined> {
  return db.selectFrom('sites').selectAll().where('org_id', '=', orgId).where('name_key', '=', name.toLowerCase()).executeTakeFirst()
}

/** True when some site (of whichever customer) has `hostname` (ASCII, lower case). */
export async function hostnameTaken(db: Db, hostname: string): Promise<boolean> {
  return (await db.selectFrom('sites').select('id').where('hostname', '=', hostname).executeTakeFirst()) !== undefined
}

/** The sites of `orgId` by name, with the guid of each one's wizard request. */
export async function listSites(db: Db, orgId: string): Promise<SiteSummary[]> {
  const rows = await db
    .selectFrom('sites')
    .leftJoin('requests', 'requests.id', 'sites.request_id')
    .selectAll('sites')
    .select('requests.guid as request_guid')
    .where('sites.org_id', '=', orgId)
    .orderBy('sites.name_key')
    .execute()
  return rows.map((r) => toSummary(r, r.request_guid))
}

/** The whole site `row`: its aliases and parts, each with its status. */
export async function readSite(db: Db, row: SiteRow): Promise<Site> {
  // One after the other: inside a transaction every query shares one connection.
  const aliases = await db.selectFrom('site_aliases').select('name').where('site_id', '=', row.id).orderBy('name').execute()
  const containers = await db.selectFrom('site_containers').selectAll().where('site_id', '=', row.id).execute()
  const environments = await db.selectFrom('site_environments').selectAll().where('site_id', '=', row.id).orderBy('created_at').orderBy('name_key').execute()
  const dns = await db.selectFrom('site_dns_records').selectAll().where('site_id', '=', row.id).orderBy('created_at').orderBy('type').orderBy('name').execute()
  const req = row.request_id === null ? undefined : await db.selectFrom('requests').select('guid').where('id', '=', row.request_id).executeTakeFirst()
  const c = containers[0]
  return {
    ...toSummary(row, req?.guid ?? null),
    aliases: aliases.map((a) => a.name),
    container: c ? toContainer(c) : null,
    environments: environments.map(toEnvironment),
    dnsRecords: dns.map(toDnsRecord),
  }
}

function toSummary(r: SiteRow, requestGuid: string | null): SiteSummary {
  return {
    id: r.id,
    orgId: r.org_id,
    name: r.name,
    hostname: r.hostname,
    status: r.status as ProvisioningStatus,
    error: r.error,
    requestGuid,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  }
}

function toContainer(r: SiteContainerTable): SiteContainer {
  return { id: r.id, name: r.name, type: r.type as ContainerType, os: r.os as OsImage, diskMiB: Number(r.disk_mib), size: r.size as ContainerSize, status: r.status as ProvisioningStatus, error: r.error }
}

function toEnvironment(r: SiteEnvironmentTable): SiteEnvironment {
  return { id: r.id, name: r.name, status: r.status as ProvisioningStatus, error: r.error }
}

function toDnsRecord(r: SiteDnsRecordTable): SiteDnsRecord {
  return { id: r.id, name: r.name, type: r.type as DnsRecordType, value: r.value, status: r.status as ProvisioningStatus, error: r.error }
}

/** The tables of a site's provisioned parts. */
export type PartTable = 'site_containers' | 'site_environments' | 'site_dns_records'

/** The subject type of each part's jobs (`site-container:<id>`, …), and its table. */
export const SITE_SUBJECTS: Record<PartTable, string> = {
  site_containers: 'site-container',
  site_environments: 'site-environment',
  site_dns_records: 'site-dns',
}

/** How a part is named in its parent request's log and error: `environment 'staging'`. */
async function partLabel(trx: Db, table: PartTable, id: string): Promise<{ label: string; siteId: string } | undefined> {
  if (table === 'site_dns_records') {
    const r = await trx.selectFrom('site_dns_records').select(['name', 'type', 'site_id']).where('id', '=', id).executeTakeFirst()
    return r && { label: `DNS record ${r.type} '${r.name}'`, siteId: r.site_id }
  }
  const r = await trx.selectFrom(table).select(['name', 'site_id']).where('id', '=', id).executeTakeFirst()
  return r && { label: `${table === 'site_containers' ? 'container' : 'environment'} '${r.name}'`, siteId: r.site_id }
}

/**
 * Applies a job's step to a site part (if the job belongs to the part's latest request), then
 * lets the wizard's request follow its child (`followChildRequest`) and the site follow that:
 * `InProgress` once a part is claimed, `Provisioned` when every part is, `Failed` with the
 * failed part named as soon as one fails.
 */
function onPartJob(table: PartTable): JobSubjectHandler<Db> {
  return async (trx: Db, event: JobEvent, info: JobEventInfo): Promise<void> => {
    const at = new Date(info.now).toISOString()
    const q = trx.updateTable(table).where('id', '=', info.id).where('request_id', '=', info.requestId)
    const step = JOB_STEP_STATUS[event]
    if (step) await q.set({ status: step, updated_at: at }).execute()
    else if (event === 'failed') await q.set({ status: 'Failed', error: info.error ?? 'provisioning failed', updated_at: at }).execute()
    else if (event === 'succeeded') await q.set({ status: 'Provisioned', error: null, updated_at: at }).execute()
    if (event !== 'claimed' && event !== 'succeeded' && event !== 'failed') return
    const part = await partLabel(trx, table, info.id)
    if (!part) return
    const parent = await followChildRequest(trx, info.requestId, info.now, event, part.label, info.error)
    if (!parent) return
    const site = trx.updateTable('sites').where('id', '=', part.siteId).where('request_id', '=', parent.parentId)
    if (parent.finished === 'failed') {
      await site.set({ status: 'Failed', error: `${part.label} failed: ${info.error ?? 'provisioning failed'}`, updated_at: at }).execute()
    } else if (parent.finished === 'succeeded') {
      await site.set({ status: 'Provisioned', error: null, updated_at: at }).execute()
    } else if (event === 'claimed') {
      await site.set({ status: 'InProgress', updated_at: at }).where('status', '=', 'Requested').execute()
    }
  }
}

/** The subject types of site parts, for the queue (subjects.ts). */
export const siteSubjectHandlers: Record<string, JobSubjectHandler<Db>> = Object.fromEntries(
  (Object.entries(SITE_SUBJECTS) as [PartTable, string][]).map(([table, subject]) => [subject, onPartJob(table)]),
)
