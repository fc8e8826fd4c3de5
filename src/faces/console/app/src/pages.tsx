/**
 * Which page a route shows. Each page lives in its own module under pages/ (with its own CSS):
 *   #/                     the signed-in organisation's hierarchy (Tree)
 *   #/orgs/<id>[/<tab>]    an organisation's page (Org)
 *   #/requests[/<guid>]    recent requests, live; one request's tree (Requests)
 *   #/approvals            the approver's inbox (Approvals)
 *   #/catalog              the service catalogue and its import (Catalog)
 */
import type { Route } from './router'
import type { Identity } from './types'
import { Tree } from './pages/Tree'
import { Org } from './pages/Org'
import { Requests } from './pages/Requests'
import { Approvals } from './pages/Approvals'
import { Catalog } from './pages/Catalog'

export function pages(route: Route, me: Identity) {
  const [first, second] = route.parts
  switch (first) {
    case 'orgs':
      return second ? <Org me={me} route={route} id={second} /> : <Tree me={me} route={route} />
    case 'requests':
      return <Requests me={me} route={route} />
    case 'approvals':
      return <Approvals me={me} route={route} />
    case 'catalog':
      return <Catalog me={me} route={route} />
    default:
      return <Tree me={me} route={route} />
  }
}
