/** Which page a route shows. Each page lives in its own module under pages/. */
import type { Route } from './router'
import type { Identity } from './types'
import { Tree } from './pages/Tree'

export function pages(route: Route, me: Identity) {
  const [first] = route.parts
  switch (first) {
    default:
      return <Tree me={me} route={route} />
  }
}
