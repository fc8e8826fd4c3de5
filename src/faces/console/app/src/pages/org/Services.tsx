/**
 * The customer's services with their provisioning status in seed 004's colours (colour and
 * words both), provisioning a catalogue service and watching its status change live (polled
 * while Requested / InProgress / Pending), and deprovisioning.
 */
import { useEffect, useRef, useState } from 'preact/hooks'
import { call, del, get, seg } from '../../api'
import type { Page } from '../../types'
import { Busy, ErrorNote, Field } from '../../ui'
import { ConfirmButton, Empty, Outcome, Section, useAction, useLoad, when } from './common'

interface Status {
  status: string
  label: string
  colour: string
}
interface Held {
  service: string
  fullname: string
  status: string
  statusLabel: string
  statusColour: string
  desiredStatus: string
  error: string | null
  approvalPending: boolean
  updatedAt: string | null
  provisionedAt: string | null
}
interface Catalogued {
  id: string
  name: string
  displayName: string
  description: string
}

/** Statuses in flight: the panel polls while any service is in one of them. */
export const MOVING = new Set(['Requested', 'InProgress', 'Pending'])
const POLL_MS = 1000

export function StatusBadge({ status, label, colour }: { status: string; label: string; colour: string }) {
  return (
    <span class={`org-status org-status-${colour.toLowerCase()}`} data-status={status} data-colour={colour}>
      <span class="org-dot" aria-hidden="true" />
      {label}
      <span class="org-colour"> ({colour})</span>
      {MOVING.has(status) ? <progress class="org-spin" aria-label={`${label}: in progress`} /> : null}
    </span>
  )
}

export function Services({ orgId }: { orgId: string }) {
  const statuses = useLoad(() => get<Page<Status>>('/provisioning-statuses'), [])
  const held = useLoad(() => get<Page<Held>>(`/orgs/${seg(orgId)}/services`), [orgId])
  const catalogue = useLoad(() => get<Page<Catalogued>>('/services?limit=200'), [])
  const act = useAction()
  const [choice, setChoice] = useState('')
  const [announce, setAnnounce] = useState('')
  const last = useRef(new Map<string, string>())

  const labelOf = (s: string) => statuses.data?.items.find((x) => x.status === s)
  const items = held.data?.items ?? []
  const moving = items.some((s) => MOVING.has(s.status))

  // Poll while anything is in flight; announce each change of status.
  useEffect(() => {
    if (!moving) return
    const t = setTimeout(() => void held.reload(), POLL_MS)
    return () => clearTimeout(t)
  }, [held.data, moving])
  useEffect(() => {
    const said: string[] = []
    for (const s of items) {
      const before = last.current.get(s.service)
      if (before !== undefined && before !== s.status) said.push(`${s.fullname || s.service}: ${labelOf(s.status)?.label ?? s.statusLabel}`)
      last.current.set(s.service, s.status)
    }
    if (said.length) setAnnounce(said.join('. ') + '.')
  }, [held.data])

  const provision = (e: Event) => {
    e.preventDefault()
    if (!choice) return
    void act.run(async () => {
      const r = await call<Held>('PUT', `/orgs/${seg(orgId)}/services/${seg(choice)}`, {})
      await held.reload()
      return `${r.body.fullname || choice}: ${r.body.statusLabel}.`
    })
  }
  const deprovision = (s: Held) =>
    void act.run(async () => {
      const r = await del<Held>(`/orgs/${seg(orgId)}/services/${seg(s.service)}`)
      await held.reload()
      return `${s.fullname || s.service}: ${r?.statusLabel ?? 'deprovisioning requested'}.`
    })

  return (
    <>
      <Section title="Services">
        {held.loading && !held.data ? <Busy /> : null}
        <ErrorNote error={held.error ?? statuses.error} />
        {held.data && items.length === 0 ? <Empty>No services provisioned.</Empty> : null}
        {items.length > 0 ? (
          <div class="org-scroll">
            <table class="org-services">
              <caption class="sr-only">Services of this organisation and their provisioning status</caption>
              <thead>
                <tr>
                  <th scope="col">Service</th>
                  <th scope="col">Status</th>
                  <th scope="col">Updated</th>
                  <th scope="col">Actions</th>
                </tr>
              </thead>
              <tbody>
                {items.map((s) => {
                  const st = labelOf(s.status)
                  return (
                    <tr key={s.service} data-service={s.service}>
                      <td>
                        {s.fullname || s.service}
                        {s.fullname && s.fullname !== s.service ? <span class="org-muted"> ({s.service})</span> : null}
                      </td>
                      <td>
                        <StatusBadge status={s.status} label={st?.label ?? s.statusLabel} colour={st?.colour ?? s.statusColour} />
                        {s.approvalPending ? <span class="org-muted"> · awaiting approval</span> : null}
                        {s.error ? <p class="error">{s.error}</p> : null}
                      </td>
                      <td>{when(s.updatedAt ?? s.provisionedAt)}</td>
                      <td>
                        {s.status !== 'NotProvisioned' ? (
                          <ConfirmButton
                            label={`Deprovision ${s.fullname || s.service}`}
                            confirm={`Confirm deprovision ${s.fullname || s.service}`}
                            disabled={act.busy}
                            onConfirm={() => deprovision(s)}
                          />
                        ) : null}
                      </td>
                    </tr>
                  )
                })}
              </tbody>
            </table>
          </div>
        ) : null}
        <p class="sr-only" role="status" aria-live="polite">
          {announce}
        </p>
        {moving ? (
          <p class="org-muted" aria-hidden="true">
            Watching the provisioning live…
          </p>
        ) : null}
      </Section>
      <Section title="Provision a service">
        {catalogue.loading && !catalogue.data ? <Busy label="Loading the catalogue…" /> : null}
        <ErrorNote error={catalogue.error} />
        {catalogue.data && catalogue.data.items.length === 0 ? <Empty>The catalogue holds no services.</Empty> : null}
        {catalogue.data && catalogue.data.items.length > 0 ? (
          <form class="org-form org-inline" onSubmit={provision}>
            <Field label="Service">
              <select value={choice} required onChange={(e) => setChoice((e.target as HTMLSelectElement).value)}>
                <option value="">Choose a service…</option>
                {catalogue.data.items.map((c) => (
                  <option key={c.id} value={c.name}>
                    {c.displayName || c.name}
                  </option>
                ))}
              </select>
            </Field>
            <button type="submit" class="primary" disabled={act.busy || !choice}>
              {act.busy ? 'Provisioning…' : 'Provision'}
            </button>
          </form>
        ) : null}
        <Outcome error={act.error} done={act.done} />
      </Section>
    </>
  )
}
