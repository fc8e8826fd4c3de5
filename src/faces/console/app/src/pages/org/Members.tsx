/** Users and groups: the organisation's members (add a user with a role) and its groups. */
import { useState } from 'preact/hooks'
import { get, post, seg } from '../../api'
import type { Page } from '../../types'
import { Busy, ErrorNote, Field } from '../../ui'
import { Empty, Outcome, ROLES, Section, useAction, useLoad, when } from './common'

interface Member {
  id: string
  username: string
  name: string
  email: string
  role: string
  enabled: boolean
  approvalPending: boolean
  createdAt: string
}
interface Group {
  id: string
  name: string
  description: string
  createdAt: string
}

export function Members({ orgId }: { orgId: string }) {
  return (
    <>
      <Users orgId={orgId} />
      <Groups orgId={orgId} />
    </>
  )
}

function Users({ orgId }: { orgId: string }) {
  const list = useLoad(() => get<Page<Member>>(`/orgs/${seg(orgId)}/members?limit=100`), [orgId])
  const act = useAction()
  const [username, setUsername] = useState('')
  const [password, setPassword] = useState('')
  const [role, setRole] = useState('member')
  const add = (e: Event) => {
    e.preventDefault()
    void act
      .run(async () => {
        await post(`/orgs/${seg(orgId)}/members`, { username, password, role })
        await list.reload()
        return `User ${username} added as ${role}.`
      })
      .then((ok) => {
        if (ok) {
          setUsername('')
          setPassword('')
        }
      })
  }
  return (
    <Section title="Users">
      {list.loading && !list.data ? <Busy /> : null}
      <ErrorNote error={list.error} />
      {list.data && list.data.items.length === 0 ? <Empty>No users yet.</Empty> : null}
      {list.data && list.data.items.length > 0 ? (
        <div class="org-scroll">
          <table>
            <caption class="sr-only">Users of this organisation</caption>
            <thead>
              <tr>
                <th scope="col">Username</th>
                <th scope="col">Name</th>
                <th scope="col">Role</th>
                <th scope="col">Enabled</th>
                <th scope="col">Created</th>
              </tr>
            </thead>
            <tbody>
              {list.data.items.map((m) => (
                <tr key={m.id}>
                  <td>{m.username}</td>
                  <td>{m.name}</td>
                  <td>{m.role}</td>
                  <td>{m.enabled ? 'Yes' : 'No'}{m.approvalPending ? ' (approval pending)' : ''}</td>
                  <td>{when(m.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {list.data.total > list.data.items.length ? <p class="org-muted">Showing {list.data.items.length} of {list.data.total}.</p> : null}
        </div>
      ) : null}
      <form class="org-form org-inline" onSubmit={add}>
        <h3>Add a user</h3>
        <Field label="Username">
          <input value={username} required autoComplete="off" onInput={(e) => setUsername((e.target as HTMLInputElement).value)} />
        </Field>
        <Field label="Password">
          <input type="password" value={password} required autoComplete="new-password" onInput={(e) => setPassword((e.target as HTMLInputElement).value)} />
        </Field>
        <Field label="Role">
          <select value={role} onChange={(e) => setRole((e.target as HTMLSelectElement).value)}>
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        </Field>
        <button type="submit" class="primary" disabled={act.busy}>
          Add user
        </button>
      </form>
      <Outcome error={act.error} done={act.done} />
    </Section>
  )
}

function Groups({ orgId }: { orgId: string }) {
  const list = useLoad(() => get<Page<Group>>(`/orgs/${seg(orgId)}/groups`), [orgId])
  const act = useAction()
  const [name, setName] = useState('')
  const [description, setDescription] = useState('')
  const add = (e: Event) => {
    e.preventDefault()
    void act
      .run(async () => {
        await post(`/orgs/${seg(orgId)}/groups`, description ? { name, description } : { name })
        await list.reload()
        return `Group ${name} added.`
      })
      .then((ok) => {
        if (ok) {
          setName('')
          setDescription('')
        }
      })
  }
  return (
    <Section title="Groups">
      {list.loading && !list.data ? <Busy /> : null}
      <ErrorNote error={list.error} />
      {list.data && list.data.items.length === 0 ? <Empty>No groups yet.</Empty> : null}
      {list.data && list.data.items.length > 0 ? (
        <div class="org-scroll">
          <table>
            <caption class="sr-only">Groups of this organisation</caption>
            <thead>
              <tr>
                <th scope="col">Group</th>
                <th scope="col">Description</th>
                <th scope="col">Created</th>
              </tr>
            </thead>
            <tbody>
              {list.data.items.map((g) => (
                <tr key={g.id}>
                  <td>{g.name}</td>
                  <td>{g.description}</td>
                  <td>{when(g.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <form class="org-form org-inline" onSubmit={add}>
        <h3>Add a group</h3>
        <Field label="Group name">
          <input value={name} required onInput={(e) => setName((e.target as HTMLInputElement).value)} />
        </Field>
        <Field label="Group description">
          <input value={description} onInput={(e) => setDescription((e.target as HTMLInputElement).value)} />
        </Field>
        <button type="submit" class="primary" disabled={act.busy}>
          Add group
        </button>
      </form>
      <Outcome error={act.error} done={act.done} />
    </Section>
  )
}
