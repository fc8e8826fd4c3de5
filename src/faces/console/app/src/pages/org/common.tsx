/** Pieces the organisation page's panels share: a loader hook, a status line, a two-step button. */
import type { ComponentChildren } from 'preact'
import { useCallback, useEffect, useRef, useState } from 'preact/hooks'
import { ErrorNote } from '../../ui'
import { call, seg } from '../../api'
import type { Org as OrgT } from '../../types'

export interface Loaded<T> {
  data: T | undefined
  error: unknown
  loading: boolean
  reload: () => Promise<void>
}

/** Loads once when the panel is shown (and when `deps` change); `reload` loads again. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): Loaded<T> {
  const [data, setData] = useState<T | undefined>(undefined)
  const [error, setError] = useState<unknown>(null)
  const [loading, setLoading] = useState(true)
  const alive = useRef(true)
  const seq = useRef(0)
  const reload = useCallback(async () => {
    const n = ++seq.current
    setLoading(true)
    try {
      const d = await load()
      if (alive.current && n === seq.current) {
        setData(d)
        setError(null)
      }
    } catch (e) {
      if (alive.current && n === seq.current) setError(e)
    } finally {
      if (alive.current && n === seq.current) setLoading(false)
    }
  }, deps)
  useEffect(() => {
    alive.current = true
    void reload()
    return () => {
      alive.current = false
    }
  }, [reload])
  return { data, error, loading, reload }
}

/** Runs an action, keeping its busy flag, error and a success line for the panel. */
export function useAction() {
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(null)
  const [done, setDone] = useState('')
  const run = async (f: () => Promise<string | void>): Promise<boolean> => {
    setBusy(true)
    setError(null)
    setDone('')
    try {
      const said = await f()
      setDone(said ?? '')
      return true
    } catch (e) {
      setError(e)
      return false
    } finally {
      setBusy(false)
    }
  }
  return { busy, error, done, run, clear: () => (setError(null), setDone('')) }
}

/** The outcome of the panel's last action: the server's words on failure, a polite line on success. */
export function Outcome({ error, done }: { error: unknown; done: string }) {
  return (
    <>
      <ErrorNote error={error} />
      <p class="org-done" role="status" aria-live="polite">
        {done}
      </p>
    </>
  )
}

/** A destructive action in two steps: the first press asks, the second does it. */
export function ConfirmButton({ label, confirm, onConfirm, disabled }: { label: string; confirm: string; onConfirm: () => void; disabled?: boolean }) {
  const [asking, setAsking] = useState(false)
  const sure = useRef<HTMLButtonElement>(null)
  useEffect(() => {
    if (asking) sure.current?.focus()
  }, [asking])
  if (!asking)
    return (
      <button type="button" disabled={disabled} onClick={() => setAsking(true)} aria-label={label}>
        {label.split(' ')[0]}
      </button>
    )
  return (
    <span class="org-confirm">
      <button
        type="button"
        class="danger"
        disabled={disabled}
        ref={sure}
        onClick={() => {
          setAsking(false)
          onConfirm()
        }}
      >
        {confirm}
      </button>
      <button type="button" onClick={() => setAsking(false)}>
        Cancel
      </button>
    </span>
  )
}

export function Section({ title, children }: { title: string; children: ComponentChildren }) {
  return (
    <section class="org-section">
      <h2>{title}</h2>
      {children}
    </section>
  )
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <p class="org-empty">{children}</p>
}

export const when = (iso: string | null | undefined) => (iso ? new Date(iso).toLocaleString() : '—')

export interface OrgRead {
  org: OrgT
  /** The ETag the read answered (the version), for If-Match. */
  etag: string
}

export async function readOrg(id: string): Promise<OrgRead> {
  const a = await call<OrgT>('GET', `/orgs/${seg(id)}`)
  return { org: a.body, etag: a.headers.get('etag') ?? `"${a.body.version}"` }
}

export const ROLES = ['superadmin', 'owner', 'admin', 'support', 'billing', 'member', 'readonly'] as const
