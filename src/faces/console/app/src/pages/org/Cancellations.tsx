/**
 * The organisation's cancellation requests (seed 001's requestCancellation): each with its
 * status (requested, approved — with the day it takes effect, the end of the billing month —
 * cancelled, withdrawn or rejected), whether an approval holds it, and the request it recorded;
 * asking for one with a reason, and withdrawing one still open.
 */
import { useState } from 'preact/hooks'
import { get, post, seg } from '../../api'
import { href } from '../../router'
import { Field } from '../../ui'
import { ConfirmButton, Empty, Outcome, Section, useAction, useLoad, when } from './common'

interface Cancellation {
  id: string
  reason: string
  status: 'requested' | 'approved' | 'cancelled' | 'withdrawn' | 'rejected'
  approvalPending: boolean
  requestGuid: string
  effectiveAt: string | null
  createdAt: string
  closedAt: string | null
}

const OPEN = new Set(['requested', 'approved'])

export function Cancellations({ orgId, orgName }: { orgId: string; orgName: string }) {
  const l = useLoad(() => get<{ items: Cancellation[] }>(`/orgs/${seg(orgId)}/cancellations`), [orgId])
  const act = useAction()
  const [reason, setReason] = useState('')
  const open = l.data?.items.find((c) => OPEN.has(c.status))
  const ask = (e: Event) => {
    e.preventDefault()
    void act.run(async () => {
      const c = await post<Cancellation>(`/orgs/${seg(orgId)}/cancellations`, { reason })
      setReason('')
      await l.reload()
      return c.approvalPending
        ? `Cancellation of ${orgName} requested; it waits for approval.`
        : `Cancellation of ${orgName} approved: it takes effect ${when(c.effectiveAt)}.`
    })
  }
  const withdraw = (c: Cancellation) =>
    void act.run(async () => {
      await post(`/cancellations/${seg(c.id)}/withdraw`)
      await l.reload()
      return 'Cancellation withdrawn.'
    })
  return (
    <Section title="Cancellation">
      {l.error ? <Outcome error={l.error} done="" /> : null}
      {l.data && l.data.items.length === 0 ? <Empty>No cancellation was ever requested.</Empty> : null}
      {l.data && l.data.items.length > 0 ? (
        <div class="org-scroll" tabIndex={0} role="region" aria-label="Cancellation requests">
          <table>
            <thead>
              <tr>
                <th scope="col">Requested</th>
                <th scope="col">Reason</th>
                <th scope="col">Status</th>
                <th scope="col">Takes effect</th>
                <th scope="col">Request</th>
                <th scope="col">
                  <span class="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {l.data.items.map((c) => (
                <tr key={c.id}>
                  <td>{when(c.createdAt)}</td>
                  <td>{c.reason}</td>
                  <td>
                    {c.status}
                    {c.approvalPending ? ' (waits for approval)' : ''}
                  </td>
                  <td>{c.effectiveAt ? when(c.effectiveAt) : '—'}</td>
                  <td>
                    <a href={href('requests', c.requestGuid)}>The request</a>
                  </td>
                  <td>{OPEN.has(c.status) ? <ConfirmButton label={`Withdraw cancellation of ${orgName}`} confirm="Confirm withdraw" disabled={act.busy} onConfirm={() => withdraw(c)} /> : null}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {l.data && !open ? (
        <form class="org-form" onSubmit={ask} aria-label="Request a cancellation">
          <h3>Request a cancellation</h3>
          <p>An approved cancellation takes effect at the end of the billing month: every subscription of the customer ends then.</p>
          <Field label="Reason">
            <textarea required maxLength={2000} rows={3} value={reason} onInput={(e) => setReason((e.target as HTMLTextAreaElement).value)} />
          </Field>
          <button type="submit" disabled={act.busy || reason.trim() === ''}>
            Request cancellation
          </button>
        </form>
      ) : null}
      <Outcome error={act.error} done={act.done} />
    </Section>
  )
}
