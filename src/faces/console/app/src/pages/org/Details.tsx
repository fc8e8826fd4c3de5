/**
 * The organisation's fields, editable with optimistic concurrency: the edit sends `If-Match`
 * with the version read; a stale edit (412/409 version_mismatch) is said in words with what
 * changed on the server (field, their value, your value), and the choice to reload or re-apply.
 */
import { useEffect, useRef, useState } from 'preact/hooks'
import { ApiError, call, seg } from '../../api'
import type { Org } from '../../types'
import { ErrorNote, Field } from '../../ui'
import { readOrg, type OrgRead } from './common'

type Key = 'name' | 'code' | 'isSuspended' | 'isReseller' | 'description' | 'address' | 'city' | 'country' | 'contactName' | 'contactEmail' | 'primaryDomain' | 'externalId' | 'billingId'

const FIELDS: { key: Key; label: string; kind?: 'bool' | 'long' | 'email' }[] = [
  { key: 'name', label: 'Name' },
  { key: 'code', label: 'Code' },
  { key: 'isReseller', label: 'Reseller', kind: 'bool' },
  { key: 'isSuspended', label: 'Suspended', kind: 'bool' },
  { key: 'description', label: 'Description', kind: 'long' },
  { key: 'address', label: 'Address' },
  { key: 'city', label: 'City' },
  { key: 'country', label: 'Country' },
  { key: 'contactName', label: 'Contact name' },
  { key: 'contactEmail', label: 'Contact e-mail', kind: 'email' },
  { key: 'primaryDomain', label: 'Primary domain' },
  { key: 'externalId', label: 'External ID' },
  { key: 'billingId', label: 'Billing ID' },
]

type Values = Record<Key, string | boolean>

const valuesOf = (o: Org): Values => Object.fromEntries(FIELDS.map((f) => [f.key, f.kind === 'bool' ? Boolean(o[f.key]) : String(o[f.key] ?? '')])) as Values
const show = (v: string | boolean) => (typeof v === 'boolean' ? (v ? 'Yes' : 'No') : v === '' ? '(empty)' : v)

interface Conflict {
  server: OrgRead
  rows: { label: string; theirs: string; yours: string; mine: boolean }[]
}

export function Details({ read, reload }: { read: OrgRead; reload: () => Promise<void> }) {
  /** The read the edit is based on: its version goes in If-Match. */
  const [base, setBase] = useState<OrgRead>(read)
  const [values, setValues] = useState<Values>(() => valuesOf(read.org))
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(null)
  const [saved, setSaved] = useState('')
  const [conflict, setConflict] = useState<Conflict | null>(null)
  const conflictRef = useRef<HTMLDivElement>(null)

  const original = valuesOf(base.org)
  const changed = FIELDS.filter((f) => values[f.key] !== original[f.key])

  // A fresh read of the organisation replaces the form while nothing is being edited.
  useEffect(() => {
    if (changed.length === 0 && !conflict) {
      setBase(read)
      setValues(valuesOf(read.org))
    }
  }, [read])
  useEffect(() => {
    if (conflict) conflictRef.current?.focus()
  }, [conflict])

  const save = async (from: OrgRead = base, edits: Values = values) => {
    const before = valuesOf(from.org)
    const body: Record<string, unknown> = {}
    for (const f of FIELDS) if (edits[f.key] !== before[f.key]) body[f.key] = edits[f.key]
    if (Object.keys(body).length === 0) {
      setSaved('Nothing to save: no field was changed.')
      return
    }
    setBusy(true)
    setError(null)
    setSaved('')
    try {
      await call('PATCH', `/orgs/${seg(from.org.id)}`, body, { 'if-match': from.etag })
      const fresh = await readOrg(from.org.id)
      setConflict(null)
      setBase(fresh)
      setValues(valuesOf(fresh.org))
      setSaved(`Saved (version ${fresh.org.version}).`)
      void reload()
    } catch (e) {
      if (e instanceof ApiError && (e.code === 'version_mismatch' || e.status === 412)) {
        const server = await readOrg(from.org.id).catch(() => null)
        if (!server) return setError(e)
        const theirs = valuesOf(server.org)
        const rows = FIELDS.filter((f) => theirs[f.key] !== before[f.key] || (edits[f.key] !== before[f.key] && edits[f.key] !== theirs[f.key])).map((f) => ({
          label: f.label,
          theirs: show(theirs[f.key]),
          yours: show(edits[f.key]),
          mine: edits[f.key] !== before[f.key],
        }))
        setConflict({ server, rows })
      } else setError(e)
    } finally {
      setBusy(false)
    }
  }

  const takeTheirs = () => {
    if (!conflict) return
    setBase(conflict.server)
    setValues(valuesOf(conflict.server.org))
    setConflict(null)
    setSaved('Reloaded: the form shows the server’s version; your changes were dropped.')
    void reload()
  }
  const reapply = async () => {
    if (!conflict) return
    const server = conflict.server
    const before = valuesOf(base.org)
    // Your changed fields over their version; fields you did not touch keep their value.
    const merged = valuesOf(server.org)
    for (const f of FIELDS) if (values[f.key] !== before[f.key]) merged[f.key] = values[f.key]
    setBase(server)
    setValues(merged)
    await save(server, merged)
  }

  return (
    <section class="org-section" aria-labelledby="h-details">
      <h2 id="h-details">Details</h2>
      {conflict ? (
        <div class="org-conflict" role="alert" tabIndex={-1} ref={conflictRef} aria-labelledby="h-conflict">
          <h3 id="h-conflict">Not saved: someone else changed this organisation</h3>
          <p>
            The organisation was changed on the server (now version {conflict.server.org.version}) after you opened it at version {base.org.version}. Your
            changes were not saved. Here is what differs:
          </p>
          <div class="org-scroll">
            <table>
              <caption>What changed on the server</caption>
              <thead>
                <tr>
                  <th scope="col">Field</th>
                  <th scope="col">Their value (on the server)</th>
                  <th scope="col">Your value</th>
                </tr>
              </thead>
              <tbody>
                {conflict.rows.map((r) => (
                  <tr key={r.label}>
                    <th scope="row">{r.label}</th>
                    <td>{r.theirs}</td>
                    <td>{r.mine ? r.yours : <span class="org-muted">(unchanged by you)</span>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <p class="org-actions">
            <button type="button" onClick={takeTheirs} disabled={busy}>
              Reload their version
            </button>
            <button type="button" class="primary" onClick={() => void reapply()} disabled={busy}>
              Re-apply my changes
            </button>
          </p>
        </div>
      ) : null}
      <form
        class="org-form org-details"
        onSubmit={(e) => {
          e.preventDefault()
          void save()
        }}
      >
        {FIELDS.map((f) =>
          f.kind === 'bool' ? (
            <label class="org-check" key={f.key}>
              <input type="checkbox" checked={values[f.key] as boolean} onChange={(e) => setValues({ ...values, [f.key]: (e.target as HTMLInputElement).checked })} />
              <span>{f.label}</span>
            </label>
          ) : (
            <Field label={f.label} key={f.key}>
              {f.kind === 'long' ? (
                <textarea rows={3} value={values[f.key] as string} onInput={(e) => setValues({ ...values, [f.key]: (e.target as HTMLTextAreaElement).value })} />
              ) : (
                <input
                  type={f.kind === 'email' ? 'email' : 'text'}
                  value={values[f.key] as string}
                  required={f.key === 'name'}
                  onInput={(e) => setValues({ ...values, [f.key]: (e.target as HTMLInputElement).value })}
                />
              )}
            </Field>
          ),
        )}
        <p class="org-meta">
          Version {base.org.version} · last changed {new Date(base.org.updatedAt).toLocaleString()}
          {changed.length ? ` · ${changed.length} unsaved change${changed.length === 1 ? '' : 's'}` : ''}
        </p>
        <p class="org-actions">
          <button type="submit" class="primary" disabled={busy}>
            {busy ? 'Saving…' : 'Save'}
          </button>
          <button
            type="button"
            disabled={busy || changed.length === 0}
            onClick={() => {
              setValues(valuesOf(base.org))
              setSaved('')
            }}
          >
            Discard changes
          </button>
        </p>
        <ErrorNote error={error} />
        <p class="org-done" role="status" aria-live="polite">
          {saved}
        </p>
      </form>
    </section>
  )
}
