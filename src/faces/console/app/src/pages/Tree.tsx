/** The signed-in organisation's hierarchy (placeholder until the tree lands). */
import type { Route } from '../router'
import type { Identity } from '../types'

export function Tree({ me }: { me: Identity; route: Route }) {
  return (
    <section>
      <h1>{me.org.name}</h1>
    </section>
  )
}
