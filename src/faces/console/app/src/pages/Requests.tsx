/**
 * Requests (`#/requests`): the recent requests the signed-in organisation may see, newest first,
 * polled every 2 s while the page is visible, filterable by status and operation. One request
 * (`#/requests/<guid>`): its fields, log, parent and children, refreshed until it has finished.
 */
import { useEffect, useRef, useState } from 'preact/hooks'
import { get, seg } from '../api'
import { href, type Route } from '../router'
import type { Identity } from '../types'
import { Busy, ErrorNote, Field } from '../ui'
import './requests.css'

export interface Job {
  id: number
  guid: string
  parentId: number | null
  operation: string
  target: string
  status: 'pending' | 'queued' | 'running' | 'succeeded' | 'failed'
  approvalPending: boolean
  actor: { userId: string | null; orgId: string | null; organisation: string; via: string }
  error: string | null
  maxDurationMs: number | null
  times: { receivedAt: string; startedAt: string | null; finishedAt: string | null }
  log: { at: string; level: 'info' | 'warn' | 'error'; message: string }[]
}

const STATUSES = ['pending', 'queued', 'running', 'succeeded', 'failed'] as const
const POLL_MS = 2000
const PAGE = 50

/** Runs `f` now and every `ms` while the page is visible and `on`; again as soon as it becomes visible. */
function usePolling(f: () => Promise<void>, ms: number, on: boolean, deps: unknown[]) {
  const fn = useRef(f)
  fn.current = f
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined
    let stopped = false
    const tick = async () => {
      if (stopped) return
      if (document.visibilityState === 'visible') await fn.current().catch(() => undefined)
      if (!stopped && on) timer = setTimeout(tick, ms)
    }
    void tick()
    const onVisible = () => {
      if (document.visibilityState === 'visible' && on) {
        clearTimeout(timer)
        void tick()
      }
    }
    document.addEventListener('visibilitychange', onVisible)
    return () => {
      stopped = true
      clearTimeout(timer)
      document.removeEventListener('visibilitychange', onVisible)
    }
  }, [on, ms, ...deps])
}

/** A time as a person reads it, in the browser's zone; a dash for none. */
export function when(iso: string | null): string {
  if (!iso) return '—'
  const d = new Date(iso)
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'medium' })
}

export function StatusBadge({ status }: { status: string }) {
  return <span class={`req-status req-status-${status}`}>{status}</span>
}

const finished = (j: Job) => j.status === 'succeeded' || j.status === 'failed'

export function Requests({ route }: { me: Identity; route: Route }) {
  const guid = route.parts[1]
  return guid ? <RequestPage key={guid} guid={guid} /> : <RequestList />
}

function RequestList() {
  const [status, setStatus] = useState('')
  const [operation, setOperation] = useState('')
  const [opDraft, setOpDraft] = useState('')
  const [offset, setOffset] = useState(0)
  const [live, setLive] = useState(true)
  const [items, setItems] = useState<Job[] | null>(null)
  const [more, setMore] = useState(false)
  const [error, setError] = useState<unknown>(null)
  const [updated, setUpdated] = useState<Date | null>(null)

  const load = async () => {
    const qs = new URLSearchParams({ limit: String(PAGE + 1), offset: String(offset) })
    if (status) qs.set('status', status)
    if (operation) qs.set('operation', operation)
    try {
      const p = await get<{ items: Job[] }>(`/jobs?${qs}`)
      setItems(p.items.slice(0, PAGE))
      setMore(p.items.length > PAGE)
      setError(null)
      setUpdated(new Date())
    } catch (e) {
      setError(e)
    }
  }
  usePolling(load, POLL_MS, live, [status, operation, offset])

  return (
    <section class="req-page" aria-labelledby="req-title">
      <h1 id="req-title">Requests</h1>
      <form
        class="req-filters"
        role="search"
        aria-label="Requests"
        onSubmit={(e) => {
          e.preventDefault()
          setOffset(0)
          setOperation(opDraft.trim())
        }}
      >
        <Field label="Status">
          <select
            value={status}
            onChange={(e) => {
              setOffset(0)
              setStatus((e.target as HTMLSelectElement).value)
            }}
          >
            <option value="">Any status</option>
            {STATUSES.map((s) => (
              <option value={s}>{s}</option>
            ))}
          </select>
        </Field>
        <Field label="Operation">
          <input type="search" value={opDraft} maxLength={100} placeholder="e.g. customer.create" onInput={(e) => setOpDraft((e.target as HTMLInputElement).value)} />
        </Field>
        <div class="req-filter-buttons">
          <button type="submit" class="primary">
            Filter
          </button>
          <label class="req-live">
            <input type="checkbox" checked={live} onChange={(e) => setLive((e.target as HTMLInputElement).checked)} /> Live updates
          </label>
        </div>
      </form>
      <p class="req-updated" aria-live="off">
        {updated ? `Updated ${updated.toLocaleTimeString()}${live ? ' · refreshing every 2 seconds' : ' · paused'}` : ''}
      </p>
      <ErrorNote error={error} />
      {items === null && !error && <Busy label="Loading requests…" />}
      {items !== null && items.length === 0 && <p role="status">No requests.</p>}
      {items !== null && items.length > 0 && (
        <div class="req-scroll">
          <table class="req-table">
            <caption class="visually-hidden">Recent requests, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Operation</th>
                <th scope="col">Status</th>
                <th scope="col">Received</th>
                <th scope="col">Started</th>
                <th scope="col">Finished</th>
                <th scope="col">Who</th>
                <th scope="col">Target</th>
              </tr>
            </thead>
            <tbody>
              {items.map((j) => (
                <tr key={j.guid}>
                  <td>
                    <a href={href('requests', j.guid)} aria-label={`${j.operation} #${j.id}`}>
                      {j.operation}
                    </a>{' '}
                    <span class="req-id">#{j.id}</span>
                  </td>
                  <td>
                    <StatusBadge status={j.status} />
                  </td>
                  <td>{when(j.times.receivedAt)}</td>
                  <td>{when(j.times.startedAt)}</td>
                  <td>{when(j.times.finishedAt)}</td>
                  <td>
                    {j.actor.organisation} <span class="req-via">({j.actor.via})</span>
                  </td>
                  <td class="req-target">{j.target}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <nav class="req-pager" aria-label="Pages">
        <button type="button" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))}>
          Newer
        </button>
        <button type="button" disabled={!more} onClick={() => setOffset(offset + PAGE)}>
          Older
        </button>
      </nav>
    </section>
  )
}

function RequestPage({ guid }: { guid: string }) {
  const [job, setJob] = useState<Job | null>(null)
  const [parent, setParent] = useState<string | null>(null)
  const [children, setChildren] = useState<Job[]>([])
  const [error, setError] = useState<unknown>(null)
  const done = job !== null && finished(job) && children.every(finished)

  const load = async () => {
    try {
      const [j, kids, log] = await Promise.all([
        get<Job & { parentGuid?: string | null }>(`/jobs/${seg(guid)}`),
        get<{ items: Job[] }>(`/jobs?parent=${seg(guid)}&limit=1000`),
        get<{ items: Job['log'] }>(`/jobs/${seg(guid)}/log`),
      ])
      setJob({ ...j, log: log.items })
      setChildren(kids.items)
      if (j.parentId !== null) {
        if (parent === null) setParent((await get<Job>(`/jobs/${j.parentId}`)).guid)
      }
      setError(null)
    } catch (e) {
      setError(e)
    }
  }
  usePolling(load, POLL_MS, !done, [guid])

  if (!job) {
    return (
      <section class="req-page">
        <h1>Request</h1>
        <p>
          <a href={href('requests')}>All requests</a>
        </p>
        {error ? <ErrorNote error={error} /> : <Busy label="Loading the request…" />}
      </section>
    )
  }
  return (
    <section class="req-page" aria-labelledby="req-title">
      <p>
        <a href={href('requests')}>All requests</a>
      </p>
      <h1 id="req-title">Request {job.operation}</h1>
      <ErrorNote error={error} />
      <p role="status" aria-live="polite" class="req-now">
        Status: <StatusBadge status={job.status} />
        {job.approvalPending && ' — waiting for approval'}
        {!finished(job) && ' — refreshing every 2 seconds'}
      </p>
      <dl class="req-fields">
        <dt>Operation</dt>
        <dd>{job.operation}</dd>
        <dt>Id</dt>
        <dd>
          {job.id} <span class="req-guid">{job.guid}</span>
        </dd>
        <dt>Target</dt>
        <dd class="req-target">{job.target || '—'}</dd>
        <dt>Who</dt>
        <dd>
          {job.actor.organisation} ({job.actor.via})
        </dd>
        <dt>Received</dt>
        <dd>{when(job.times.receivedAt)}</dd>
        <dt>Started</dt>
        <dd>{when(job.times.startedAt)}</dd>
        <dt>Finished</dt>
        <dd>{when(job.times.finishedAt)}</dd>
        {job.error && (
          <>
            <dt>Error</dt>
            <dd class="error">{job.error}</dd>
          </>
        )}
        <dt>Parent</dt>
        <dd>{job.parentId === null ? 'None' : parent ? <a href={href('requests', parent)}>Parent request #{job.parentId}</a> : `#${job.parentId}`}</dd>
      </dl>

      <h2>Log</h2>
      <ol class="req-log" aria-label="Log">
        {job.log.map((l) => (
          <li class={`req-log-${l.level}`}>
            <time dateTime={l.at}>{when(l.at)}</time> <span class="req-level">{l.level}</span> {l.message}
          </li>
        ))}
      </ol>

      <h2>Children</h2>
      {children.length === 0 ? (
        <p>No child requests.</p>
      ) : (
        <div class="req-scroll">
          <table class="req-table">
            <thead>
              <tr>
                <th scope="col">Operation</th>
                <th scope="col">Status</th>
                <th scope="col">Started</th>
                <th scope="col">Finished</th>
                <th scope="col">Error</th>
              </tr>
            </thead>
            <tbody>
              {children.map((c) => (
                <tr key={c.guid}>
                  <td>
                    <a href={href('requests', c.guid)} aria-label={`${c.operation} #${c.id}`}>
                      {c.operation}
                    </a>{' '}
                    <span class="req-id">#{c.id}</span>
                  </td>
                  <td>
                    <StatusBadge status={c.status} />
                  </td>
                  <td>{when(c.times.startedAt)}</td>
                  <td>{when(c.times.finishedAt)}</td>
                  <td>{c.error ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  )
}
