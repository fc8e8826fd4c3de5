/** The smaller panels: capacity, domains, IP addresses, notices and contacts, with their main actions. */
import { useState } from 'preact/hooks'
import { del, get, post, seg } from '../../api'
import type { Page } from '../../types'
import { Busy, ErrorNote, Field } from '../../ui'
import { ConfirmButton, Empty, Outcome, Section, useAction, useLoad, when, type Loaded } from './common'

function Loading<T>({ l }: { l: Loaded<T> }) {
  return (
    <>
      {l.loading && !l.data ? <Busy /> : null}
      <ErrorNote error={l.error} />
    </>
  )
}

interface Cap {
  amount: number
  capacityunittype: string
  name: string
  description: string
}

export function Capacity({ orgId }: { orgId: string }) {
  const l = useLoad(() => get<{ capacityavailable: Cap[]; capacityconsumed: Cap[] }>(`/orgs/${seg(orgId)}/capacity`), [orgId])
  const table = (caption: string, rows: Cap[]) =>
    rows.length === 0 ? (
      <Empty>None.</Empty>
    ) : (
      <div class="org-scroll">
        <table>
          <caption class="sr-only">{caption}</caption>
          <thead>
            <tr>
              <th scope="col">Kind</th>
              <th scope="col">Unit</th>
              <th scope="col">Amount</th>
              <th scope="col">Description</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((c, i) => (
              <tr key={i}>
                <td>{c.name}</td>
                <td>{c.capacityunittype}</td>
                <td>{c.amount}</td>
                <td>{c.description}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    )
  return (
    <Section title="Capacity">
      <Loading l={l} />
      {l.data ? (
        <>
          <h3>Available</h3>
          {table('Capacity available', l.data.capacityavailable)}
          <h3>Consumed</h3>
          {table('Capacity consumed', l.data.capacityconsumed)}
        </>
      ) : null}
    </Section>
  )
}

interface Domain {
  name: string
  unicodeName: string
  registrar: string
  status: string
  createdAt: string
}

export function Domains({ orgId }: { orgId: string }) {
  const l = useLoad(() => get<Page<Domain>>(`/orgs/${seg(orgId)}/domains`), [orgId])
  const act = useAction()
  const [domain, setDomain] = useState('')
  const add = (e: Event) => {
    e.preventDefault()
    void act.run(async () => {
      const r = await post<{ domain: string; registrar: string }>(`/orgs/${seg(orgId)}/domains`, { domain })
      await l.reload()
      setDomain('')
      return `Domain ${r.domain} registered with ${r.registrar}.`
    })
  }
  return (
    <Section title="Domains">
      <Loading l={l} />
      {l.data && l.data.items.length === 0 ? <Empty>No domain names.</Empty> : null}
      {l.data && l.data.items.length > 0 ? (
        <div class="org-scroll">
          <table>
            <caption class="sr-only">Domain names of this organisation</caption>
            <thead>
              <tr>
                <th scope="col">Domain</th>
                <th scope="col">Registrar</th>
                <th scope="col">Status</th>
                <th scope="col">Since</th>
              </tr>
            </thead>
            <tbody>
              {l.data.items.map((d) => (
                <tr key={d.name}>
                  <td>{d.unicodeName && d.unicodeName !== d.name ? `${d.unicodeName} (${d.name})` : d.name}</td>
                  <td>{d.registrar}</td>
                  <td>{d.status}</td>
                  <td>{when(d.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <form class="org-form org-inline" onSubmit={add}>
        <Field label="Domain">
          <input value={domain} required placeholder="example.com" onInput={(e) => setDomain((e.target as HTMLInputElement).value)} />
        </Field>
        <button type="submit" class="primary" disabled={act.busy}>
          Register domain
        </button>
      </form>
      <Outcome error={act.error} done={act.done} />
    </Section>
  )
}

interface Ip {
  address: string
  prefixLength: number
  gateway: string
  pool: string
  family: string
  since: string
}

export function IpAddresses({ orgId }: { orgId: string }) {
  const l = useLoad(() => get<Page<Ip>>(`/orgs/${seg(orgId)}/ip-addresses`), [orgId])
  const act = useAction()
  const [pool, setPool] = useState('')
  const [address, setAddress] = useState('')
  const add = (e: Event) => {
    e.preventDefault()
    const body: Record<string, string> = {}
    if (pool) body.pool = pool
    if (address) body.address = address
    void act.run(async () => {
      const r = await post<Ip>(`/orgs/${seg(orgId)}/ip-addresses`, body)
      await l.reload()
      setAddress('')
      return `Address ${r.address} given from pool ${r.pool}.`
    })
  }
  const free = (ip: Ip) =>
    void act.run(async () => {
      await del(`/orgs/${seg(orgId)}/ip-addresses/${seg(ip.address)}`)
      await l.reload()
      return `Address ${ip.address} freed.`
    })
  return (
    <Section title="IP addresses">
      <Loading l={l} />
      {l.data && l.data.items.length === 0 ? <Empty>No IP addresses.</Empty> : null}
      {l.data && l.data.items.length > 0 ? (
        <div class="org-scroll">
          <table>
            <caption class="sr-only">IP addresses of this organisation</caption>
            <thead>
              <tr>
                <th scope="col">Address</th>
                <th scope="col">Gateway</th>
                <th scope="col">Pool</th>
                <th scope="col">Since</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {l.data.items.map((ip) => (
                <tr key={ip.address}>
                  <td>
                    <code>
                      {ip.address}/{ip.prefixLength}
                    </code>
                  </td>
                  <td>{ip.gateway}</td>
                  <td>{ip.pool}</td>
                  <td>{when(ip.since)}</td>
                  <td>
                    <ConfirmButton label={`Free ${ip.address}`} confirm={`Confirm free ${ip.address}`} disabled={act.busy} onConfirm={() => free(ip)} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <form class="org-form org-inline" onSubmit={add}>
        <Field label="Pool">
          <input value={pool} placeholder="any pool" onInput={(e) => setPool((e.target as HTMLInputElement).value)} />
        </Field>
        <Field label="IP address">
          <input value={address} placeholder="lowest free" onInput={(e) => setAddress((e.target as HTMLInputElement).value)} />
        </Field>
        <button type="submit" class="primary" disabled={act.busy}>
          Add IP address
        </button>
      </form>
      <Outcome error={act.error} done={act.done} />
    </Section>
  )
}

interface Notice {
  id: number
  global: boolean
  noticeType: string
  subject: string
  body: string
  createdAt: string
  acknowledged: boolean
  acknowledgedAt: string | null
}

export function Notices({ orgId }: { orgId: string }) {
  const l = useLoad(() => get<{ items: Notice[] }>(`/orgs/${seg(orgId)}/notices`), [orgId])
  const act = useAction()
  const ack = (n: Notice) =>
    void act.run(async () => {
      await post(`/orgs/${seg(orgId)}/notices/${seg(n.id)}/acknowledge`)
      await l.reload()
      return `Notice “${n.subject}” acknowledged.`
    })
  return (
    <Section title="Notices">
      <Loading l={l} />
      {l.data && l.data.items.length === 0 ? <Empty>No notices.</Empty> : null}
      <ul class="org-notices">
        {l.data?.items.map((n) => (
          <li key={n.id} class={n.acknowledged ? 'org-notice org-notice-ack' : 'org-notice'}>
            <h3>{n.subject}</h3>
            <p class="org-muted">
              {n.noticeType}
              {n.global ? ' · for the whole subtree' : ''} · {when(n.createdAt)}
            </p>
            <p class="org-notice-body">{n.body}</p>
            {n.acknowledged ? (
              <p>Acknowledged {when(n.acknowledgedAt)}</p>
            ) : (
              <button type="button" disabled={act.busy} aria-label={`Acknowledge ${n.subject}`} onClick={() => ack(n)}>
                Acknowledge
              </button>
            )}
          </li>
        ))}
      </ul>
      <Outcome error={act.error} done={act.done} />
    </Section>
  )
}

interface Contact {
  id: number
  name: string
  email: string | null
  phone: string | null
  methods: { id: number; method: string; address: string }[]
}

export function Contacts({ orgId }: { orgId: string }) {
  const l = useLoad(() => get<{ items: Contact[] }>(`/orgs/${seg(orgId)}/contacts`), [orgId])
  const act = useAction()
  const [name, setName] = useState('')
  const [email, setEmail] = useState('')
  const [phone, setPhone] = useState('')
  const add = (e: Event) => {
    e.preventDefault()
    const body: Record<string, string> = { name }
    if (email) body.email = email
    if (phone) body.phone = phone
    void act.run(async () => {
      await post(`/orgs/${seg(orgId)}/contacts`, body)
      await l.reload()
      setName('')
      setEmail('')
      setPhone('')
      return `Contact ${name} added.`
    })
  }
  return (
    <Section title="Contacts">
      <Loading l={l} />
      {l.data && l.data.items.length === 0 ? <Empty>No contacts.</Empty> : null}
      {l.data && l.data.items.length > 0 ? (
        <div class="org-scroll">
          <table>
            <caption class="sr-only">Contacts of this organisation</caption>
            <thead>
              <tr>
                <th scope="col">Contact</th>
                <th scope="col">E-mail</th>
                <th scope="col">Phone</th>
                <th scope="col">Methods</th>
              </tr>
            </thead>
            <tbody>
              {l.data.items.map((c) => (
                <tr key={c.id}>
                  <td>{c.name}</td>
                  <td>{c.email ?? '—'}</td>
                  <td>{c.phone ?? '—'}</td>
                  <td>{c.methods.length ? c.methods.map((m) => `${m.method}: ${m.address}`).join(', ') : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <form class="org-form org-inline" onSubmit={add}>
        <Field label="Contact name">
          <input value={name} required onInput={(e) => setName((e.target as HTMLInputElement).value)} />
        </Field>
        <Field label="E-mail">
          <input type="email" value={email} onInput={(e) => setEmail((e.target as HTMLInputElement).value)} />
        </Field>
        <Field label="Phone">
          <input type="tel" value={phone} onInput={(e) => setPhone((e.target as HTMLInputElement).value)} />
        </Field>
        <button type="submit" class="primary" disabled={act.busy}>
          Add contact
        </button>
      </form>
      <Outcome error={act.error} done={act.done} />
    </Section>
  )
}
