/** Placeholder: this page is being built. */
import type { Route } from '../router'
import type { Identity } from '../types'

export function Approvals(_props: { me: Identity; route: Route; id?: string }) {
  return (
    <section>
      <h1>Approvals</h1>
    </section>
  )
}
