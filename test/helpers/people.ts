/**
 * The organisations and users a face test makes, each asserted made: customers of the master
 * organisation and users (with Clientele's own member body) whose password is
 * `<username>-password`, and the credentials to act as one.
 */
import assert from 'node:assert/strict'
import type { RequestOptions, TestServer } from './harness.js'

export function people(server: () => TestServer) {
  return {
    /** A customer of the master organisation, by name; answers its id. */
    async customer(name: string): Promise<string> {
      const r = await server().req('POST', `/orgs/${server().masterId}/customers`, { body: { name } })
      assert.equal(r.status, 201, r.text)
      return r.body.id as string
    },
    /** A user of `org` with `role` (and any other field of Clientele's member body); answers its id. */
    async user(org: string, username: string, role: string, extra: object = {}): Promise<string> {
      const r = await server().req('POST', `/orgs/${org}/members`, { body: { username, password: `${username}-password`, role, ...extra } })
      assert.equal(r.status, 201, r.text)
      return r.body.id as string
    },
    /** Basic credentials of a user made by `user`. */
    as(username: string): RequestOptions {
      return { auth: [username, `${username}-password`] }
    },
  }
}
