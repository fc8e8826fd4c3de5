/**
 * An organisation's page: `#/orgs/<id>[/<tab>]`. The header (name, breadcrumb to the parent, a
 * link to its customers) reads `GET /orgs/{id}`; each tab is a link, and its panel loads its own
 * data from the REST API only when it is shown.
 */
import { useEffect, useState } from 'preact/hooks'
import { get, seg } from '../api'
import { href, type Route } from '../router'
import type { Identity, Org as OrgT } from '../types'
import { Busy, ErrorNote } from '../ui'
import { Details } from './org/Details'
import { Members } from './org/Members'
import { Keys } from './org/Keys'
import { Subscriptions } from './org/Subscriptions'
import { Services } from './org/Services'
import { Capacity, Contacts, Domains, IpAddresses, Notices } from './org/Others'
import { Cancellations } from './org/Cancellations'
import { readOrg, useLoad } from './org/common'
import './org/org.css'

export const TABS = [
  ['details', 'Details'],
  ['users', 'Users and groups'],
  ['keys', 'API keys'],
  ['subscriptions', 'Subscriptions'],
  ['services', 'Services'],
  ['capacity', 'Capacity'],
  ['domains', 'Domains'],
  ['ips', 'IP addresses'],
  ['notices', 'Notices'],
  ['contacts', 'Contacts'],
  ['cancellation', 'Cancellation'],
] as const

export function Org({ me, route, id }: { me: Identity; route: Route; id?: string }) {
  const orgId = id ?? me.org.id
  const tab = route.parts[2] ?? 'details'
  const read = useLoad(() => readOrg(orgId), [orgId])
  const org = read.data?.org
  const known = TABS.find(([slug]) => slug === tab)
  useEffect(() => {
    if (org) document.title = `${org.name} · ${known?.[1] ?? 'Organisation'} · Clientele`
  }, [org?.name, tab])
  if (read.error && !org) return <ErrorNote error={read.error} />
  if (!org) return <Busy />
  return (
    <article class="org-page">
      <Crumbs org={org} me={me} />
      <h1>
        {org.name} <span class="org-code">{org.code}</span>
      </h1>
      <p class="org-badges">
        {org.isReseller ? <span class="org-badge">Reseller</span> : <span class="org-badge">Customer</span>}
        {org.isSuspended ? <span class="org-badge org-badge-bad">Suspended</span> : null}
        <span class="org-badge">Status: {String(org.lifecycleStatus ?? org.status)}</span>
        {org.isReseller ? (
          <a href={`${href('orgs')}?root=${encodeURIComponent(org.id)}`}>Customers of {org.name}</a>
        ) : null}
      </p>
      <nav class="org-tabs" aria-label="Organisation sections">
        {TABS.map(([slug, label]) => (
          <a key={slug} href={href('orgs', org.id, slug)} aria-current={slug === tab ? 'page' : undefined}>
            {label}
          </a>
        ))}
      </nav>
      <div class="org-panel">
        {tab === 'details' && <Details read={read.data!} reload={read.reload} />}
        {tab === 'users' && <Members orgId={org.id} />}
        {tab === 'keys' && <Keys orgId={org.id} />}
        {tab === 'subscriptions' && <Subscriptions org={org} />}
        {tab === 'services' && <Services orgId={org.id} />}
        {tab === 'capacity' && <Capacity orgId={org.id} />}
        {tab === 'domains' && <Domains orgId={org.id} />}
        {tab === 'ips' && <IpAddresses orgId={org.id} />}
        {tab === 'notices' && <Notices orgId={org.id} />}
        {tab === 'contacts' && <Contacts orgId={org.id} />}
        {tab === 'cancellation' && <Cancellations orgId={org.id} orgName={org.name} />}
        {!known && <p>There is no section “{tab}” here; choose one above.</p>}
      </div>
    </article>
  )
}

/** Home › … › parent › this: the parent is named when the signed-in user may read it. */
function Crumbs({ org, me }: { org: OrgT; me: Identity }) {
  const [parent, setParent] = useState<OrgT | null>(null)
  useEffect(() => {
    setParent(null)
    if (org.parentId && org.id !== me.org.id) get<OrgT>(`/orgs/${seg(org.parentId)}`).then(setParent, () => setParent(null))
  }, [org.parentId])
  return (
    <nav aria-label="Breadcrumb" class="org-crumbs">
      <ol>
        <li>
          <a href={href()}>Hierarchy</a>
        </li>
        {org.parentId && org.id !== me.org.id ? (
          <li>
            <a href={href('orgs', org.parentId)}>{parent ? parent.name : 'Parent organisation'}</a>
          </li>
        ) : null}
        <li>
          <span aria-current="page">{org.name}</span>
        </li>
      </ol>
    </nav>
  )
}
