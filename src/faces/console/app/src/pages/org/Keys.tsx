/**
 * API keys acting for the organisation: list, create with a role (the secret is shown once, in a
 * box the user dismisses, never again), revoke; each key's IP ACL entries (address + CIDR mask).
 */
import { Fragment } from 'preact'
import { useEffect, useRef, useState } from 'preact/hooks'
import { del, get, post, seg } from '../../api'
import { Busy, ErrorNote, Field } from '../../ui'
import { ConfirmButton, Empty, Outcome, ROLES, Section, useAction, useLoad, when } from './common'

interface Acl {
  id: number
  address: string
  mask: number
}
interface Key {
  id: string
  name: string
  type: string
  prefix: string
  createdAt: string
  expiresAt: string | null
  role: string | null
  actsAs: string
  acls: Acl[]
}

export function Keys({ orgId }: { orgId: string }) {
  const list = useLoad(() => get<{ items: Key[] }>(`/orgs/${seg(orgId)}/api-keys`), [orgId])
  const act = useAction()
  const [name, setName] = useState('')
  const [role, setRole] = useState('readonly')
  const [secret, setSecret] = useState<{ name: string; secret: string } | null>(null)
  const [open, setOpen] = useState<string | null>(null)

  const create = (e: Event) => {
    e.preventDefault()
    setSecret(null)
    void act.run(async () => {
      const k = await post<{ name: string; secret: string }>(`/orgs/${seg(orgId)}/api-keys`, name ? { name, role } : { role })
      setSecret({ name: k.name, secret: k.secret })
      setName('')
      await list.reload()
      return `Key ${k.name} created.`
    })
  }
  const revoke = (k: Key) =>
    void act.run(async () => {
      await del(`/api-keys/${seg(k.id)}`)
      await list.reload()
      return `Key ${k.name} revoked.`
    })

  return (
    <Section title="API keys">
      {secret ? <SecretBox name={secret.name} secret={secret.secret} onDismiss={() => setSecret(null)} /> : null}
      {list.loading && !list.data ? <Busy /> : null}
      <ErrorNote error={list.error} />
      {list.data && list.data.items.length === 0 ? <Empty>No API keys.</Empty> : null}
      {list.data && list.data.items.length > 0 ? (
        <div class="org-scroll">
          <table>
            <caption class="sr-only">API keys of this organisation</caption>
            <thead>
              <tr>
                <th scope="col">Key</th>
                <th scope="col">Role</th>
                <th scope="col">Prefix</th>
                <th scope="col">Created</th>
                <th scope="col">ACLs</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {list.data.items.map((k) => (
                <Fragment key={k.id}>
                  <tr>
                    <td>{k.name}</td>
                    <td>{k.actsAs}</td>
                    <td>
                      <code>{k.prefix}</code>
                    </td>
                    <td>{when(k.createdAt)}</td>
                    <td>{k.acls.length === 0 ? 'Any address' : k.acls.map((a) => `${a.address}/${a.mask}`).join(', ')}</td>
                    <td class="org-row-actions">
                      <button type="button" aria-expanded={open === k.id} aria-label={`ACLs of key ${k.name}`} onClick={() => setOpen(open === k.id ? null : k.id)}>
                        ACLs
                      </button>
                      <ConfirmButton label={`Revoke key ${k.name}`} confirm={`Confirm revoke ${k.name}`} disabled={act.busy} onConfirm={() => revoke(k)} />
                    </td>
                  </tr>
                  {open === k.id ? (
                    <tr class="org-subrow">
                      <td colSpan={6}>
                        <Acls k={k} reload={list.reload} />
                      </td>
                    </tr>
                  ) : null}
                </Fragment>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <form class="org-form org-inline" onSubmit={create}>
        <h3>Create an API key</h3>
        <Field label="Key name">
          <input value={name} placeholder="named after its role" onInput={(e) => setName((e.target as HTMLInputElement).value)} />
        </Field>
        <Field label="Key role">
          <select value={role} onChange={(e) => setRole((e.target as HTMLSelectElement).value)}>
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        </Field>
        <button type="submit" class="primary" disabled={act.busy}>
          Create key
        </button>
      </form>
      <Outcome error={act.error} done={act.done} />
    </Section>
  )
}

/** The new key's secret, shown only now: copy it, then dismiss; it is never shown again. */
function SecretBox({ name, secret, onDismiss }: { name: string; secret: string; onDismiss: () => void }) {
  const box = useRef<HTMLInputElement>(null)
  const [copied, setCopied] = useState('')
  useEffect(() => {
    box.current?.focus()
    box.current?.select()
  }, [])
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(secret)
      setCopied('Copied to the clipboard.')
    } catch {
      box.current?.select()
      setCopied(document.execCommand('copy') ? 'Copied to the clipboard.' : 'Select the secret and copy it yourself.')
    }
  }
  return (
    <div class="org-secret" role="region" aria-label="New API key secret">
      <h3>Secret of the new key {name}</h3>
      <p>
        <strong>This secret is shown only now.</strong> Copy it and keep it safe: it cannot be shown again.
      </p>
      <Field label="Secret">
        <input ref={box} readOnly value={secret} class="org-mono" spellcheck={false} />
      </Field>
      <p class="org-actions">
        <button type="button" class="primary" onClick={() => void copy()}>
          Copy
        </button>
        <button type="button" onClick={onDismiss}>
          Dismiss
        </button>
        <span role="status" aria-live="polite">
          {copied}
        </span>
      </p>
    </div>
  )
}

function Acls({ k, reload }: { k: Key; reload: () => Promise<void> }) {
  const act = useAction()
  const [address, setAddress] = useState('')
  const [mask, setMask] = useState('32')
  const add = (e: Event) => {
    e.preventDefault()
    void act.run(async () => {
      await post(`/api-keys/${seg(k.id)}/acls`, { address, mask: Number(mask) })
      await reload()
      setAddress('')
      return `Added ${address}/${mask} to key ${k.name}.`
    })
  }
  const remove = (a: Acl) =>
    void act.run(async () => {
      await del(`/api-key-acls/${seg(a.id)}`)
      await reload()
      return `Removed ${a.address}/${a.mask} from key ${k.name}.`
    })
  return (
    <div class="org-acls">
      <h4>ACLs of key {k.name}</h4>
      {k.acls.length === 0 ? <p>No ACL entries: the key works from any address.</p> : null}
      <ul>
        {k.acls.map((a) => (
          <li key={a.id}>
            <code>
              {a.address}/{a.mask}
            </code>{' '}
            <button type="button" aria-label={`Remove ACL ${a.address}/${a.mask}`} disabled={act.busy} onClick={() => remove(a)}>
              Remove
            </button>
          </li>
        ))}
      </ul>
      <form class="org-form org-inline" onSubmit={add}>
        <Field label="Address">
          <input value={address} required placeholder="203.0.113.0" onInput={(e) => setAddress((e.target as HTMLInputElement).value)} />
        </Field>
        <Field label="CIDR mask">
          <input type="number" min={0} max={128} value={mask} required onInput={(e) => setMask((e.target as HTMLInputElement).value)} />
        </Field>
        <button type="submit" disabled={act.busy}>
          Add ACL
        </button>
      </form>
      <Outcome error={act.error} done={act.done} />
    </div>
  )
}
