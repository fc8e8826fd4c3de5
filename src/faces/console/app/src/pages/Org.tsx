/** Placeholder: this page is being built. */
import type { Route } from '../router'
import type { Identity } from '../types'

export function Org(_props: { me: Identity; route: Route; id?: string }) {
  return (
    <section>
      <h1>Org</h1>
    </section>
  )
}
