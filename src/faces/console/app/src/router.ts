/**
 * Hash routes (`#/orgs/<id>`), so that no console path ever collides with an API path and the
 * server serves one page. `useRoute` re-renders on navigation.
 */
import { useEffect, useState } from 'preact/hooks'

export interface Route {
  /** Path segments after `#/`, decoded. */
  parts: string[]
  /** Query parameters after `?` in the hash. */
  query: URLSearchParams
}

export function parse(hash: string): Route {
  const h = hash.replace(/^#\/?/, '')
  const [path = '', q = ''] = h.split('?', 2)
  return { parts: path.split('/').filter(Boolean).map(decodeURIComponent), query: new URLSearchParams(q) }
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parse(location.hash))
  useEffect(() => {
    const on = () => setRoute(parse(location.hash))
    addEventListener('hashchange', on)
    return () => removeEventListener('hashchange', on)
  }, [])
  return route
}

/** The href of a console route. */
export function href(...parts: (string | number)[]): string {
  return '#/' + parts.map((p) => encodeURIComponent(String(p))).join('/')
}

export function go(...parts: (string | number)[]): void {
  location.hash = href(...parts)
}
