/**
 * How a refusal of an unknown field reads. The name a caller gave is never repeated (it may be a
 * secret typed in the wrong place: a key pasted as a query parameter's name, a password as a
 * body field's); the answer names where it was and the fields that are taken there.
 */

/** The property names of the object schema at `pointer` (a JSON pointer like `#/properties/a/items`) in `schema`. */
export function propertyNamesAt(schema: unknown, pointer: string): string[] {
  let at: unknown = schema
  for (const raw of pointer.replace(/^#\/?/, '').split('/').filter(Boolean)) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~')
    if (at === null || typeof at !== 'object' || !Object.hasOwn(at, seg)) return []
    at = (at as Record<string, unknown>)[seg]
  }
  const props = at !== null && typeof at === 'object' ? (at as { properties?: unknown }).properties : undefined
  return props !== null && typeof props === 'object' ? Object.keys(props) : []
}

/** The largest number of accepted names listed in a refusal. */
const LISTED = 40

/** `unknown field in body.services.0 (accepted: name, plans, …)`; `where` empty leaves the place out. */
export function unknownFieldMessage(what: string, where: string, accepted: readonly string[]): string {
  const head = where ? `unknown ${what} in ${where}` : `unknown ${what}`
  if (accepted.length === 0) return head
  const names = accepted.length > LISTED ? `${accepted.slice(0, LISTED).join(', ')}, …` : accepted.join(', ')
  return `${head} (accepted: ${names})`
}
