/**
 * Approvals (`#/approvals`): the signed-in user's inbox (`GET /approvals?status=…`, pending by
 * default), each approval with what it is about, who asked and when; a pending one is accepted
 * or rejected with a reason (`POST /approvals/{id}/decision`, the id of the caller's own
 * response), and the list is read again after a decision.
 */
import { useEffect, useState } from 'preact/hooks'
import { get, post, seg } from '../api'
import { href, type Route } from '../router'
import type { Identity } from '../types'
import { Busy, ErrorNote, Field } from '../ui'
import { when } from './Requests'
import './approvals.css'

type Status = 'Pending' | 'Accepted' | 'Rejected' | 'TimedOut'
interface Person {
  id: string
  name: string
  fullname: string
  email: string
}
interface Approval {
  id: string
  requestGuid: string | null
  description: string
  event: { object: string; action: string; label: string | null }
  status: Status
  requestDate: string
  resolvedDate: string | null
  customer: { id: string; name: string; fullname: string }
  requestedByUser: Person | null
  subscriptions: { id: string; provider: string; requestDate: string; resolvedDate: string | null; status: string; reason: string; user: Person }[]
}

const SHOWS: { value: string; label: string }[] = [
  { value: 'Pending', label: 'Pending' },
  { value: 'Accepted', label: 'Accepted' },
  { value: 'Rejected', label: 'Rejected' },
  { value: 'TimedOut', label: 'Timed out' },
  { value: '', label: 'All' },
]

export function Approvals(_props: { me: Identity; route: Route }) {
  const [status, setStatus] = useState('Pending')
  const [items, setItems] = useState<Approval[] | null>(null)
  const [error, setError] = useState<unknown>(null)
  const [notice, setNotice] = useState('')

  const load = async () => {
    setError(null)
    try {
      const p = await get<{ items: Approval[] }>(`/approvals${status ? `?status=${seg(status)}` : ''}`)
      setItems(p.items)
    } catch (e) {
      setError(e)
    }
  }
  useEffect(() => {
    setItems(null)
    void load()
  }, [status])

  return (
    <section class="appr-page" aria-labelledby="appr-title">
      <h1 id="appr-title">Approvals</h1>
      <div class="appr-bar">
        <Field label="Status">
          <select value={status} onChange={(e) => setStatus((e.target as HTMLSelectElement).value)}>
            {SHOWS.map((s) => (
              <option value={s.value}>{s.label}</option>
            ))}
          </select>
        </Field>
        <button type="button" onClick={() => void load()}>
          Refresh
        </button>
      </div>
      <p role="status" aria-live="polite" class="appr-notice">
        {notice}
      </p>
      <ErrorNote error={error} />
      {items === null && !error && <Busy label="Loading approvals…" />}
      {items !== null && items.length === 0 && <p>{status === 'Pending' ? 'Nothing waits for your approval.' : 'No approvals.'}</p>}
      {items !== null && items.length > 0 && (
        <ul class="appr-list" role="list">
          {items.map((a) => (
            <ApprovalCard
              key={a.id}
              a={a}
              onDecided={(words) => {
                setNotice(words)
                void load()
              }}
            />
          ))}
        </ul>
      )}
    </section>
  )
}

function ApprovalCard({ a, onDecided }: { a: Approval; onDecided: (words: string) => void }) {
  const mine = a.subscriptions[0]
  const [reason, setReason] = useState('')
  const [busy, setBusy] = useState<'' | 'Accepted' | 'Rejected'>('')
  const [error, setError] = useState<unknown>(null)
  const open = a.status === 'Pending' && mine?.status === 'Pending'
  const titleId = `appr-${a.id}`

  const decide = async (decision: 'Accepted' | 'Rejected') => {
    if (!mine) return
    setBusy(decision)
    setError(null)
    try {
      await post(`/approvals/${seg(mine.id)}/decision`, { status: decision, ...(reason.trim() ? { reason: reason.trim() } : {}) })
      onDecided(`${decision === 'Accepted' ? 'Accepted' : 'Rejected'}: ${a.description}.`)
    } catch (e) {
      setError(e)
    } finally {
      setBusy('')
    }
  }

  const who = a.requestedByUser ? `${a.requestedByUser.fullname || a.requestedByUser.name} (${a.requestedByUser.name})` : 'the system'
  return (
    <li>
      <article class="appr-card" aria-labelledby={titleId}>
        <h2 id={titleId}>{a.description}</h2>
        <dl class="appr-fields">
          <dt>Customer</dt>
          <dd>
            <a href={href('orgs', a.customer.id)}>{a.customer.fullname}</a> <span class="appr-code">{a.customer.name}</span>
          </dd>
          <dt>Asked by</dt>
          <dd>{who}</dd>
          <dt>Asked</dt>
          <dd>{when(a.requestDate)}</dd>
          <dt>Status</dt>
          <dd>
            <span class={`appr-status appr-status-${a.status}`}>{a.status}</span>
            {a.resolvedDate && ` on ${when(a.resolvedDate)}`}
          </dd>
          {mine && (
            <>
              <dt>Your answer</dt>
              <dd>
                {mine.status}
                {mine.reason && `: ${mine.reason}`} <span class="appr-code">({mine.provider})</span>
              </dd>
            </>
          )}
          {a.requestGuid && (
            <>
              <dt>Request</dt>
              <dd>
                <a href={href('requests', a.requestGuid)}>The request this approval holds</a>
              </dd>
            </>
          )}
        </dl>
        {open && (
          <form class="appr-decide" onSubmit={(e) => e.preventDefault()} aria-label={`Decide: ${a.description}`}>
            <Field label="Reason">
              <textarea rows={2} maxLength={2000} value={reason} onInput={(e) => setReason((e.target as HTMLTextAreaElement).value)} />
            </Field>
            <ErrorNote error={error} />
            <div class="appr-buttons">
              <button type="button" class="primary" disabled={busy !== ''} onClick={() => decide('Accepted')}>
                {busy === 'Accepted' ? 'Accepting…' : 'Accept'}
              </button>
              <button type="button" class="appr-reject" disabled={busy !== ''} onClick={() => decide('Rejected')}>
                {busy === 'Rejected' ? 'Rejecting…' : 'Reject'}
              </button>
            </div>
          </form>
        )}
      </article>
    </li>
  )
}
