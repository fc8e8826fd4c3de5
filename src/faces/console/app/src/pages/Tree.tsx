/**
 * The signed-in organisation's customers (`#/`, `#/orgs`): one page of its direct customers as a
 * tree whose resellers expand lazily (each node's children fetched, a page at a time, when it is
 * expanded), so a million organisations are never loaded. A search (name prefix, code, external
 * id) or a status or plan filter answers a flat, paged list over the whole subtree instead.
 * A form creates a customer and shows its row.
 */
import { useEffect, useRef, useState } from 'preact/hooks'
import { get, post, seg } from '../api'
import { href, type Route } from '../router'
import type { Identity, Org, Page } from '../types'
import { Busy, ErrorNote, Field } from '../ui'
import './tree.css'

/** How many children an expanded node fetches at a time. */
const CHILD_PAGE = 25
const PAGE_SIZES = [10, 25, 50, 100]
const STATUSES = ['active', 'suspended', 'deleted'] as const

interface Filters {
  q: string
  status: string
  planId: string
}

function customersUrl(orgId: string, params: Record<string, string | number | boolean | undefined>): string {
  const qs = new URLSearchParams()
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') qs.set(k, String(v))
  return `/orgs/${seg(orgId)}/customers?${qs}`
}

export function Tree({ me, route }: { me: Identity; route: Route }) {
  // `#/orgs?root=<id>` shows the hierarchy below one organisation (a reseller's "Customers of" link).
  const rootId = route.query.get('root') || me.org.id
  const [root, setRoot] = useState<Org>(me.org)
  const [filters, setFilters] = useState<Filters>({ q: '', status: '', planId: '' })
  const [draft, setDraft] = useState<Filters>(filters)
  const [pageSize, setPageSize] = useState(25)
  const [offset, setOffset] = useState(0)
  const [page, setPage] = useState<Page<Org> | null>(null)
  const [error, setError] = useState<unknown>(null)
  const [loading, setLoading] = useState(false)
  const [plans, setPlans] = useState<{ id: number; name: string }[]>([])
  const [created, setCreated] = useState<Org | null>(null)
  const seq = useRef(0)
  useEffect(() => {
    setOffset(0)
    if (rootId === me.org.id) setRoot(me.org)
    else get<Org>(`/orgs/${seg(rootId)}`).then(setRoot, setError)
  }, [rootId])

  const searching = filters.q.trim() !== '' || filters.status !== '' || filters.planId !== ''

  const load = async () => {
    const mine = ++seq.current
    setLoading(true)
    setError(null)
    try {
      const p = await get<Page<Org>>(
        customersUrl(rootId, {
          offset,
          limit: pageSize,
          q: filters.q.trim(),
          status: filters.status,
          planId: filters.planId,
          recursive: searching ? true : undefined,
        }),
      )
      if (mine === seq.current) setPage(p)
    } catch (e) {
      if (mine === seq.current) setError(e)
    } finally {
      if (mine === seq.current) setLoading(false)
    }
  }

  useEffect(() => {
    void load()
  }, [rootId, filters, offset, pageSize])

  useEffect(() => {
    get<{ items: { id: number; name: string }[] }>(`/orgs/${seg(rootId)}/plans?limit=500`).then(
      (p) => setPlans(p.items),
      () => setPlans([]),
    )
  }, [rootId])

  const apply = (e: Event) => {
    e.preventDefault()
    setOffset(0)
    setFilters({ ...draft })
  }
  const clear = () => {
    const none = { q: '', status: '', planId: '' }
    setDraft(none)
    setOffset(0)
    setFilters(none)
  }

  const total = page?.total ?? 0
  const from = total === 0 ? 0 : offset + 1
  const to = Math.min(offset + pageSize, total)

  return (
    <section class="tree-page" aria-labelledby="tree-title">
      <h1 id="tree-title">Customers</h1>
      <p class="tree-sub">
        Of <a href={href('orgs', root.id)}>{root.name}</a>
      </p>

      <form class="tree-filters" role="search" aria-label="Customers" onSubmit={apply}>
        <Field label="Search">
          <input
            type="search"
            value={draft.q}
            maxLength={200}
            placeholder="Name starts with, code or external id"
            onInput={(e) => setDraft({ ...draft, q: (e.target as HTMLInputElement).value })}
          />
        </Field>
        <Field label="Status">
          <select value={draft.status} onChange={(e) => setDraft({ ...draft, status: (e.target as HTMLSelectElement).value })}>
            <option value="">Any but deleted</option>
            {STATUSES.map((s) => (
              <option value={s}>{s}</option>
            ))}
          </select>
        </Field>
        <Field label="Plan">
          <select value={draft.planId} onChange={(e) => setDraft({ ...draft, planId: (e.target as HTMLSelectElement).value })}>
            <option value="">Any plan</option>
            {plans.map((p) => (
              <option value={String(p.id)}>{p.name}</option>
            ))}
          </select>
        </Field>
        <div class="tree-filter-buttons">
          <button type="submit" class="primary">
            Apply
          </button>
          <button type="button" onClick={clear} disabled={!searching && draft.q === '' && draft.status === '' && draft.planId === ''}>
            Clear
          </button>
        </div>
      </form>

      <NewCustomer
        parent={root}
        canMakeReseller={root.depth === 0}
        onCreated={(o) => {
          setCreated(o)
          void load()
        }}
      />
      <p class="tree-created-note" role="status" aria-live="polite">
        {created && (
          <>
            Created <strong>{created.name}</strong> ({created.code}
            {created.isReseller ? ', reseller' : ''}). <a href={href('orgs', created.id)}>Open {created.name}</a>
          </>
        )}
      </p>

      <h2 id="tree-list-title">{searching ? 'Search results (whole hierarchy)' : 'Top level'}</h2>
      <p class="tree-count" role="status" aria-live="polite">
        {loading ? 'Loading…' : page ? (total === 0 ? 'No customers.' : `Showing ${from}–${to} of ${total}`) : ''}
      </p>
      <ErrorNote error={error} />
      {page && page.items.length > 0 && (
        <ul class="tree" role="list" aria-labelledby="tree-list-title">
          {page.items.map((o) => (searching ? <OrgRow key={o.id} org={o} showPath /> : <TreeNode key={o.id} org={o} fresh={o.id === created?.id} />))}
        </ul>
      )}
      <nav class="tree-pager" aria-label="Pages">
        <button type="button" onClick={() => setOffset(Math.max(0, offset - pageSize))} disabled={offset === 0 || loading}>
          Previous page
        </button>
        <button type="button" onClick={() => setOffset(offset + pageSize)} disabled={to >= total || loading}>
          Next page
        </button>
        <label class="tree-pagesize">
          <span>Page size</span>
          <select
            value={String(pageSize)}
            onChange={(e) => {
              setOffset(0)
              setPageSize(Number((e.target as HTMLSelectElement).value))
            }}
          >
            {PAGE_SIZES.map((n) => (
              <option value={String(n)}>{n}</option>
            ))}
          </select>
        </label>
      </nav>
    </section>
  )
}

/** One organisation's line: its name (a link to its page), code, status, and whether it is a reseller. */
function OrgLine({ org, showPath }: { org: Org; showPath?: boolean }) {
  return (
    <span class="tree-line">
      <a href={href('orgs', org.id)}>{org.name}</a>
      <span class="tree-code">{org.code}</span>
      <span class={`tree-status tree-status-${org.status}`}>{org.status}</span>
      {org.isReseller && <span class="tree-badge">reseller</span>}
      {showPath && org.depth > 1 && <span class="tree-depth">level {org.depth}</span>}
    </span>
  )
}

function OrgRow({ org, showPath }: { org: Org; showPath?: boolean }) {
  return (
    <li class="tree-node">
      <span class="tree-toggle-space" aria-hidden="true" />
      <OrgLine org={org} showPath={showPath} />
    </li>
  )
}

/** A node of the tree: a reseller expands to its customers, fetched a page at a time. */
function TreeNode({ org, fresh }: { org: Org; fresh?: boolean }) {
  const [open, setOpen] = useState(false)
  const [kids, setKids] = useState<Org[] | null>(null)
  const [total, setTotal] = useState(0)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(null)
  const canExpand = org.isReseller

  const fetchMore = async (from: number) => {
    setBusy(true)
    setError(null)
    try {
      const p = await get<Page<Org>>(customersUrl(org.id, { offset: from, limit: CHILD_PAGE }))
      setKids((k) => (from === 0 ? p.items : [...(k ?? []), ...p.items]))
      setTotal(p.total)
    } catch (e) {
      setError(e)
    } finally {
      setBusy(false)
    }
  }

  const toggle = () => {
    const next = !open
    setOpen(next)
    if (next && kids === null) void fetchMore(0)
  }

  return (
    <li class={fresh ? 'tree-node tree-fresh' : 'tree-node'}>
      {canExpand ? (
        <button type="button" class="tree-toggle" aria-expanded={open} aria-label={`${open ? 'Collapse' : 'Expand'} ${org.name}`} onClick={toggle}>
          <span aria-hidden="true">{open ? '▾' : '▸'}</span>
        </button>
      ) : (
        <span class="tree-toggle-space" aria-hidden="true" />
      )}
      <OrgLine org={org} />
      {open && (
        <div class="tree-children">
          {busy && kids === null && <Busy label={`Loading the customers of ${org.name}…`} />}
          <ErrorNote error={error} />
          {kids !== null && kids.length === 0 && !error && <p class="tree-empty">No customers.</p>}
          {kids !== null && kids.length > 0 && (
            <ul class="tree" role="list" aria-label={`Customers of ${org.name}`}>
              {kids.map((k) => (
                <TreeNode key={k.id} org={k} />
              ))}
            </ul>
          )}
          {kids !== null && kids.length < total && (
            <button type="button" class="tree-more" onClick={() => fetchMore(kids.length)} disabled={busy}>
              {busy ? 'Loading…' : `More customers of ${org.name} (${kids.length} of ${total})`}
            </button>
          )}
        </div>
      )}
    </li>
  )
}

/** The "new customer" form: name, an optional short code, reseller (the master organisation only). */
function NewCustomer({ parent, canMakeReseller, onCreated }: { parent: Org; canMakeReseller: boolean; onCreated: (o: Org) => void }) {
  const [name, setName] = useState('')
  const [code, setCode] = useState('')
  const [reseller, setReseller] = useState(false)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(null)

  const submit = async (e: Event) => {
    e.preventDefault()
    setBusy(true)
    setError(null)
    try {
      const body: Record<string, unknown> = { name: name.trim() }
      if (code.trim()) body.code = code.trim()
      if (canMakeReseller && reseller) body.isReseller = true
      const { id } = await post<{ id: string }>(`/orgs/${seg(parent.id)}/customers`, body)
      const org = await get<Org>(`/orgs/${seg(id)}`)
      setName('')
      setCode('')
      setReseller(false)
      onCreated(org)
    } catch (err) {
      setError(err)
    } finally {
      setBusy(false)
    }
  }

  return (
    <details class="tree-new">
      <summary>New customer</summary>
      <form onSubmit={submit} aria-label="New customer">
        <Field label="Name">
          <input required maxLength={200} value={name} onInput={(e) => setName((e.target as HTMLInputElement).value)} />
        </Field>
        <Field label="Code (optional)">
          <input maxLength={16} pattern="[A-Za-z0-9_\-]+" value={code} onInput={(e) => setCode((e.target as HTMLInputElement).value)} />
        </Field>
        {canMakeReseller && (
          <label class="tree-check">
            <input type="checkbox" checked={reseller} onChange={(e) => setReseller((e.target as HTMLInputElement).checked)} /> Reseller
          </label>
        )}
        <ErrorNote error={error} />
        <button type="submit" class="primary" disabled={busy || name.trim() === ''}>
          {busy ? 'Creating…' : 'Create customer'}
        </button>
      </form>
    </details>
  )
}
