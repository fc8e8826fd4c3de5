import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { DomainError } from '../../core/errors.js'
import { newId } from '../../core/ids.js'
import { MAX_ALIASES, MAX_ENVIRONMENTS, type Site } from '../../core/sites.js'
import { mapUnique, nowIso } from '../../store/store.js'
import { insertRequest } from '../../store/requests.repo.js'
import { enqueueJob, noteRequest } from '../../store/jobs.repo.js'
import { findSiteByName, findSiteRow, hostnameTaken, insertSite, readSite, setPartRequest, SITE_SUBJECTS, type NewSite, type PartTable } from '../../store/sites.repo.js'
import { PROVISIONING_KIND, type ProvisioningPayload } from '../../jobs/provisioning.js'
import { CatalogueName, checkWizard, Hostname, OrgId, PartName, siteOrg, siteService, SiteName } from './site-access.js'

/** One part of the wizard's request: its child request, and what it provisions. */
export interface WizardChild {
  part: 'container' | 'environment' | 'dns'
  name: string
  requestGuid: string
}

export interface WizardResult {
  /** The wizard's request (seed 001's `RequestId`): `GET /jobs/{guid}`; its children are `GET /jobs?parent={guid}`. */
  requestGuid: string
  siteId: string
  /** One child request a part, in the order queued: the container, each environment, each DNS record. */
  children: WizardChild[]
  /** The site as it now stands (`Requested`). */
  site: Site
}

/**
 * Creates a site with its container, environments and (with `createDNS`) DNS records: seed
 * 001's `CP_Wizard`. Everything is checked before anything is written (bad input changes
 * nothing); then, in one transaction, the site and its parts are written `Requested` and the
 * call's request (the parent) gets one child request and one provisioning job a part, through
 * the driver of the catalogue service `sites` (created with `noop` when absent). The worker
 * carries each; the first part that fails fails the parent and the site, naming the part
 * (`environment 'staging' failed: …`); when every part is provisioned both succeed.
 *
 * The site's name is unique per customer whatever its case, its hostname across the system
 * (`already_exists`). Needs `org.write` on a customer of the actor's subtree.
 */
export const wizardSite = defineOp({
  name: 'site.wizard',
  input: Type.Object(
    {
      orgId: OrgId,
      siteName: SiteName,
      siteHostname: Hostname,
      containerName: PartName,
      containerType: CatalogueName,
      containerOSId: CatalogueName,
      containerDiskSpace: Type.Integer({ description: 'MiB' }),
      containerSize: CatalogueName,
      environmentNames: Type.Array(PartName, { maxItems: MAX_ENVIRONMENTS }),
      aliasNames: Type.Optional(Type.Array(Hostname, { maxItems: MAX_ALIASES })),
      createDNS: Type.Optional(Type.Boolean()),
    },
    { additionalProperties: false },
  ),
  async run(ctx, input): Promise<WizardResult> {
    const checked = checkWizard(input)
    const siteName = input.siteName.trim()
    await siteOrg(ctx, ctx.store.db, input.orgId, true)
    return ctx.store.write(async (trx) => {
      const org = await siteOrg(ctx, trx, input.orgId, true)
      if (await findSiteByName(trx, org.id, siteName)) throw new DomainError('already_exists', `${org.name} already has a site named ${JSON.stringify(siteName)}`, { field: 'siteName' })
      if (await hostnameTaken(trx, checked.hostname)) throw new DomainError('already_exists', `hostname ${checked.hostname} belongs to another site`, { field: 'siteHostname' })
      const service = await siteService(ctx, trx)
      const rec = ctx.request!
      const siteId = newId()
      rec.noteTarget(org.path, `site:${siteId}`)
      const parentId = await rec.queue(trx)
      const now = ctx.clock()
      const at = nowIso(ctx.clock)
      const part = { site_id: siteId, status: 'Requested', error: null, request_id: null, created_at: at, updated_at: at }
      const site: NewSite = {
        site: { id: siteId, org_id: org.id, name: siteName, name_key: siteName.toLowerCase(), hostname: checked.hostname, status: 'Requested', error: null, request_id: parentId, created_at: at, updated_at: at },
        aliases: checked.aliases,
        container: { ...part, id: newId(), name: input.containerName, type: checked.containerType, os: checked.os, disk_mib: input.containerDiskSpace, size: checked.size },
        environments: checked.environments.map((name) => ({ ...part, id: newId(), name, name_key: name.toLowerCase() })),
        dnsRecords: input.createDNS
          ? [
              { ...part, id: newId(), name: checked.hostname, type: 'A', value: null },
              ...checked.aliases.map((a) => ({ ...part, id: newId(), name: a, type: 'CNAME', value: checked.hostname })),
            ]
          : [],
      }
      await mapUnique(
        () => insertSite(trx, site),
        (c) => (c.includes('hostname') ? `hostname ${checked.hostname} belongs to another site` : `${org.name} already has a site named ${JSON.stringify(siteName)}`),
      )
      const about = { id: siteId, name: siteName, hostname: checked.hostname, aliases: checked.aliases }
      const customer = { id: org.id, name: org.name }
      const parts: { table: PartTable; kind: WizardChild['part']; id: string; name: string; detail: Record<string, unknown> }[] = [
        { table: 'site_containers', kind: 'container', id: site.container.id, name: site.container.name, detail: { container: { name: site.container.name, type: checked.containerType, os: checked.os, diskMiB: input.containerDiskSpace, size: checked.size } } },
        ...site.environments.map((e) => ({ table: 'site_environments' as const, kind: 'environment' as const, id: e.id, name: e.name, detail: { environment: { name: e.name } } })),
        ...site.dnsRecords.map((d) => ({ table: 'site_dns_records' as const, kind: 'dns' as const, id: d.id, name: d.name, detail: { dnsRecord: { name: d.name, type: d.type, value: d.value } } })),
      ]
      const maxMs = ctx.exec?.maxDurationMs
      const children: WizardChild[] = []
      for (const p of parts) {
        const guid = newId()
        const childId = await insertRequest(trx, {
          guid,
          parent_id: parentId,
          operation: `site.wizard.${p.kind}`,
          actor_user_id: ctx.actor.userId,
          actor_org_id: ctx.actor.orgId,
          via: ctx.actor.via,
          target: `site:${siteId}`,
          scope_path: org.path,
          status: 'queued',
          log: null,
          error: null,
          stages: null,
          max_duration_ms: maxMs ?? null,
          received_at: at,
          started_at: null,
          finished_at: null,
          user_error: null,
        })
        await setPartRequest(trx, p.table, p.id, childId)
        const payload: ProvisioningPayload = {
          serviceId: service.id,
          service: service.name,
          driver: service.driver,
          requestGuid: guid,
          action: 'provision',
          subject: `${SITE_SUBJECTS[p.table]}:${p.id}`,
          payload: { part: p.kind, site: about, customer, ...p.detail },
        }
        await enqueueJob(trx, { requestId: childId, kind: PROVISIONING_KIND, payload: payload as unknown as Record<string, unknown>, now, ...(maxMs !== undefined ? { deadlineAt: now + maxMs } : {}) })
        children.push({ part: p.kind, name: p.name, requestGuid: guid })
      }
      await noteRequest(trx, parentId, now, 'info', `site ${siteName} (${checked.hostname}): ${children.length} parts queued through service ${service.name} (driver ${service.driver})`)
      const row = await findSiteRow(trx, org.id, siteId)
      return { requestGuid: rec.guid, siteId, children, site: await readSite(trx, row!) }
    })
  },
})
