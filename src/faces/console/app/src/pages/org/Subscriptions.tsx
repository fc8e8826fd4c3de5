/**
 * The organisation's subscriptions with quota bars (used / total per resource), and selling one
 * of the parent's plans to it (`POST /orgs/{parent}/customers/{id}/subscriptions`); a refusal
 * (quota exceeded …) is shown in the server's words.
 */
import { useState } from 'preact/hooks'
import { get, post, seg } from '../../api'
import type { Org, Page } from '../../types'
import { Busy, ErrorNote, Field } from '../../ui'
import { Empty, Outcome, Section, useAction, useLoad } from './common'

interface Resource {
  name: string
  total?: number
  usage: number
}
interface Subscription {
  id: number
  planId: number
  planName: string
  planKind: string
  vendorId: string
  lifecycleStatus: string
  isSuspended: boolean
  friendlyName: string
  resources: Resource[]
}
interface Plan {
  id: number
  name: string
  planKind: string
  resources: { name: string; total?: number }[]
}

export function Subscriptions({ org }: { org: Org }) {
  const list = useLoad(() => get<Page<Subscription>>(`/orgs/${seg(org.id)}/subscriptions?limit=100`), [org.id])
  return (
    <>
      <Section title="Subscriptions">
        {list.loading && !list.data ? <Busy /> : null}
        <ErrorNote error={list.error} />
        {list.data && list.data.items.length === 0 ? <Empty>This organisation holds no subscriptions.</Empty> : null}
        <div class="org-cards">
          {list.data?.items.map((s) => (
            <SubscriptionCard key={s.id} s={s} />
          ))}
        </div>
      </Section>
      {org.parentId ? <SellPlan org={org} parentId={org.parentId} onSold={list.reload} /> : null}
    </>
  )
}

function SubscriptionCard({ s }: { s: Subscription }) {
  const title = s.friendlyName && s.friendlyName !== s.planName ? `${s.friendlyName} (${s.planName})` : s.planName
  return (
    <section class="org-card" aria-labelledby={`sub-${s.id}`}>
      <h3 id={`sub-${s.id}`}>{title}</h3>
      <p class="org-muted">
        Subscription {s.id} · {s.planKind} plan · {s.isSuspended ? 'suspended' : s.lifecycleStatus}
      </p>
      {s.resources.length === 0 ? (
        <p>No metered resources.</p>
      ) : (
        <ul class="org-quotas">
          {s.resources.map((r) => (
            <li key={r.name}>
              <Quota r={r} idBase={String(s.id)} />
            </li>
          ))}
        </ul>
      )}
    </section>
  )
}

/** One resource's quota: a meter with the numbers in words beside it. */
export function Quota({ r, idBase }: { r: Resource; idBase: string }) {
  const limited = typeof r.total === 'number'
  const text = limited ? `${r.usage} / ${r.total} used` : `${r.usage} used (unlimited)`
  const full = limited && r.usage >= (r.total as number)
  const id = `q-${idBase}-${r.name.replace(/\W+/g, '-')}`
  return (
    <div class={full ? 'org-quota org-quota-full' : 'org-quota'}>
      <span id={id} class="org-quota-name">
        {r.name}
      </span>
      {limited ? (
        <meter aria-labelledby={id} min={0} max={Math.max(r.total as number, 1)} value={r.usage} low={(r.total as number) * 0.7} high={(r.total as number) * 0.9} optimum={0} aria-valuetext={text} />
      ) : (
        <span class="org-quota-unl" aria-hidden="true" />
      )}
      <span class="org-quota-text">
        {text}
        {full ? ' — quota reached' : ''}
      </span>
    </div>
  )
}

function SellPlan({ org, parentId, onSold }: { org: Org; parentId: string; onSold: () => Promise<void> }) {
  const plans = useLoad(() => get<Page<Plan>>(`/orgs/${seg(parentId)}/plans?limit=100`), [parentId])
  const act = useAction()
  const [planId, setPlanId] = useState('')
  const [friendly, setFriendly] = useState('')
  const chosen = plans.data?.items.find((p) => String(p.id) === planId)
  const sell = (e: Event) => {
    e.preventDefault()
    if (!chosen) return
    void act.run(async () => {
      const r = await post<{ id: number }>(`/orgs/${seg(parentId)}/customers/${seg(org.id)}/subscriptions`, friendly ? { planId: chosen.id, friendlyName: friendly } : { planId: chosen.id })
      await onSold()
      setFriendly('')
      return `Sold plan ${chosen.name} to ${org.name} (subscription ${r.id}).`
    })
  }
  return (
    <Section title="Sell a plan">
      <p class="org-muted">Subscribe {org.name} to one of its parent’s plans.</p>
      {plans.loading && !plans.data ? <Busy label="Loading the parent’s plans…" /> : null}
      <ErrorNote error={plans.error} />
      {plans.data && plans.data.items.length === 0 ? <Empty>The parent organisation has no plans to sell.</Empty> : null}
      {plans.data && plans.data.items.length > 0 ? (
        <form class="org-form org-inline" onSubmit={sell}>
          <Field label="Plan">
            <select value={planId} required onChange={(e) => setPlanId((e.target as HTMLSelectElement).value)}>
              <option value="">Choose a plan…</option>
              {plans.data.items.map((p) => (
                <option key={p.id} value={String(p.id)}>
                  {p.name} ({p.planKind})
                </option>
              ))}
            </select>
          </Field>
          <Field label="Friendly name">
            <input value={friendly} placeholder="optional" onInput={(e) => setFriendly((e.target as HTMLInputElement).value)} />
          </Field>
          <button type="submit" class="primary" disabled={act.busy || !chosen}>
            {act.busy ? 'Selling…' : 'Sell plan'}
          </button>
        </form>
      ) : null}
      {chosen && chosen.resources.length > 0 ? (
        <p class="org-muted">
          {chosen.name} grants: {chosen.resources.map((r) => `${r.name} ${typeof r.total === 'number' ? r.total : 'unlimited'}`).join(', ')}.
        </p>
      ) : null}
      <Outcome error={act.error} done={act.done} />
    </Section>
  )
}
