/** Placeholder: this page is being built. */
import type { Route } from '../router'
import type { Identity } from '../types'

export function Requests(_props: { me: Identity; route: Route; id?: string }) {
  return (
    <section>
      <h1>Requests</h1>
    </section>
  )
}
