/**
 * The service catalogue (`#/catalog`): its services, and importing a catalogue document (YAML
 * or JSON, the shape `GET /catalog` exports) with `PUT /catalog`. The import is long work: the
 * upload shows its progress (bytes sent), then the server's one transaction shows as busy, and
 * the outcome is counted per kind (created, updated, deleted, unchanged). Errors in the server's
 * words. Only the master organisation's catalogue writers may import; others read.
 */
import { useEffect, useState } from 'preact/hooks'
import { ApiError, describe, get, type Problem } from '../api'
import type { Identity } from '../types'
import type { Route } from '../router'
import { Busy, ErrorNote } from '../ui'
import './catalog.css'

interface Service {
  name: string
  displayName?: string
  description?: string
  driver?: string
  version?: string
}
type Counts = Record<string, { created: number; updated: number; deleted: number; unchanged: number }>

/** PUT /catalog through XMLHttpRequest, whose upload reports progress (fetch's does not). */
function upload(body: string, onProgress: (sent: number, total: number) => void, onSent: () => void): Promise<Counts> {
  return new Promise((resolve, reject) => {
    const x = new XMLHttpRequest()
    x.open('PUT', '/catalog')
    x.withCredentials = true
    x.setRequestHeader('content-type', 'application/json')
    x.setRequestHeader('accept', 'application/json')
    x.setRequestHeader('x-clientele-console', '1')
    x.upload.onprogress = (e) => onProgress(e.loaded, e.total)
    x.upload.onload = onSent
    x.onerror = () => reject(new ApiError({ status: 0, detail: 'the server cannot be reached; check your connection' }))
    x.onload = () => {
      let parsed: unknown
      try {
        parsed = JSON.parse(x.responseText)
      } catch {
        parsed = { detail: x.responseText }
      }
      if (x.status >= 200 && x.status < 300) resolve(parsed as Counts)
      else reject(new ApiError({ ...(parsed as Problem), status: x.status }))
    }
    x.send(body)
  })
}

export function Catalog(_props: { me: Identity; route: Route }) {
  const [services, setServices] = useState<Service[] | null>(null)
  const [error, setError] = useState<unknown>(null)
  const [stage, setStage] = useState<'idle' | 'uploading' | 'importing'>('idle')
  const [sent, setSent] = useState<{ loaded: number; total: number }>({ loaded: 0, total: 0 })
  const [result, setResult] = useState<Counts | null>(null)
  const [file, setFile] = useState<File | null>(null)

  const load = () =>
    get<{ items?: Service[] } | Service[]>('/services').then(
      (r) => setServices(Array.isArray(r) ? r : (r.items ?? [])),
      setError,
    )
  useEffect(() => {
    void load()
  }, [])

  async function submit(e: Event) {
    e.preventDefault()
    if (!file) return
    setError(null)
    setResult(null)
    let doc: unknown
    try {
      const text = await file.text()
      // The YAML parser is its own chunk, fetched only when a YAML file is imported.
      doc = /\.json$/i.test(file.name) ? JSON.parse(text) : (await import('yaml')).parse(text)
    } catch (err) {
      setError(new Error(`${file.name} is not a catalogue document: ${err instanceof Error ? err.message : String(err)}`))
      return
    }
    setStage('uploading')
    try {
      const counts = await upload(JSON.stringify(doc), (loaded, total) => setSent({ loaded, total }), () => setStage('importing'))
      setResult(counts)
      await load()
    } catch (err) {
      setError(err instanceof ApiError ? err : new Error(describe({ status: 0, detail: String(err) })))
    } finally {
      setStage('idle')
    }
  }

  const pct = sent.total > 0 ? Math.round((sent.loaded / sent.total) * 100) : 0
  return (
    <section aria-labelledby="catalog-h">
      <h1 id="catalog-h">Service catalogue</h1>
      <form class="catalog-import" onSubmit={submit} aria-label="Import a catalogue">
        <h2>Import a catalogue</h2>
        <p>A YAML or JSON document of the shape the catalogue exports; it is applied in one transaction, and importing it again changes nothing.</p>
        <label class="field">
          <span>Catalogue file</span>
          <input type="file" accept=".yaml,.yml,.json,application/json,text/yaml" onChange={(e) => setFile((e.currentTarget as HTMLInputElement).files?.[0] ?? null)} />
        </label>
        <button type="submit" class="primary" disabled={!file || stage !== 'idle'}>
          Import
        </button>
        {stage === 'uploading' && (
          <div role="status" aria-live="polite">
            <label>
              Uploading {pct}% <progress max={100} value={pct} aria-label="Upload progress" />
            </label>
          </div>
        )}
        {stage === 'importing' && (
          <div role="status" aria-live="polite">
            <label>
              Importing… <progress aria-label="Import in progress" />
            </label>
          </div>
        )}
        {result && (
          <div role="status" aria-live="polite">
            <p>Imported.</p>
            <table>
              <caption>What the import changed</caption>
              <thead>
                <tr>
                  <th scope="col">Kind</th>
                  <th scope="col">Created</th>
                  <th scope="col">Updated</th>
                  <th scope="col">Deleted</th>
                  <th scope="col">Unchanged</th>
                </tr>
              </thead>
              <tbody>
                {Object.entries(result).map(([kind, c]) => (
                  <tr key={kind}>
                    <th scope="row">{kind}</th>
                    <td>{c.created}</td>
                    <td>{c.updated}</td>
                    <td>{c.deleted}</td>
                    <td>{c.unchanged}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <ErrorNote error={error} />
      </form>
      <h2>Services</h2>
      {services === null ? (
        <Busy />
      ) : services.length === 0 ? (
        <p>The catalogue has no services yet.</p>
      ) : (
        <div class="catalog-table" tabIndex={0} role="region" aria-label="Services of the catalogue (scrolls sideways on a narrow screen)">
          <table>
            <caption class="visually-hidden">Services of the catalogue</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Display name</th>
                <th scope="col">Driver</th>
                <th scope="col">Description</th>
              </tr>
            </thead>
            <tbody>
              {services.map((s) => (
                <tr key={s.name}>
                  <th scope="row">{s.name}</th>
                  <td>{s.displayName ?? ''}</td>
                  <td>{s.driver ?? ''}</td>
                  <td>{s.description ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  )
}
