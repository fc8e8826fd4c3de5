/**
 * The tenant-isolation matrix's view of the HTTP JSON faces: the operations of `/openapi.json`,
 * the routes Fastify registered (the document must hold every JSON one, or the route is listed
 * here as excluded with a reason), and a valid-looking body for an operation from its schema.
 */
import type { RouteOptions } from 'fastify'

export const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const

export interface Operation {
  method: string
  /** OpenAPI template, e.g. `/orgs/{org_id}/members/{member_id}`. */
  path: string
  pathParams: string[]
  requiredQuery: { name: string; schema: any }[]
  /** Every query parameter the operation declares. */
  query: string[]
  bodySchema: any | undefined
  write: boolean
}

/** The operations of an OpenAPI document. */
export function operations(doc: any): Operation[] {
  const out: Operation[] = []
  for (const [path, item] of Object.entries<any>(doc.paths)) {
    for (const method of METHODS) {
      const op = item[method]
      if (!op) continue
      const params: any[] = [...(item.parameters ?? []), ...(op.parameters ?? [])]
      out.push({
        method: method.toUpperCase(),
        path,
        pathParams: [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!),
        query: params.filter((p) => p.in === 'query').map((p) => p.name),
        requiredQuery: params.filter((p) => p.in === 'query' && p.required).map((p) => ({ name: p.name, schema: p.schema })),
        bodySchema: op.requestBody?.content?.['application/json']?.schema,
        write: method !== 'get',
      })
    }
  }
  return out
}

/** Fastify's `/a/:b` as OpenAPI's `/a/{b}`. */
export function templateOf(url: string): string {
  return url.replace(/:([A-Za-z0-9_]+)/g, '{$1}')
}

/**
 * Registered routes that are not JSON operations of the document, each with why. A route that
 * is neither in the document nor here fails the matrix, so a new route is noticed.
 */
export const EXCLUDED: readonly { match: RegExp; why: string }[] = [
  { match: /^\/$/, why: "the console's HTML entry page (public, no tenant data)" },
  { match: /^\/console\/assets\//, why: "the console's built scripts and styles (public static files, no tenant data; registered only when the console is built)" },
  { match: /^\/cortexapi\//i, why: 'the XML action API: its own matrix (not JSON)' },
  { match: /^\/(healthz|readyz)$/, why: 'public liveness probes; carry no tenant data' },
  { match: /^\/openapi\.json$/, why: 'the public API description itself' },
  { match: /^\/docs(\/|$)/, why: 'the Swagger UI (public static files)' },
  { match: /^\/appserver\/xmlrpc$/, why: 'the XML-RPC face: its own matrix (not JSON)' },
  { match: /^\/(xmlapi|api\/xml|xml)(\/|$)/i, why: 'the XML action API: its own matrix (not JSON)' },
  { match: /thrift/i, why: 'Thrift over HTTP: its own matrix (binary)' },
]

/** Routes registered but neither in the document nor excluded (method + template). */
export function undocumented(routes: RouteOptions[], ops: Operation[]): string[] {
  const have = new Set(ops.map((o) => `${o.method} ${o.path}`))
  const missing: string[] = []
  for (const r of routes) {
    const methods = (Array.isArray(r.method) ? r.method : [r.method]).map(String).filter((m) => m !== 'HEAD' && m !== 'OPTIONS')
    const path = templateOf(r.url)
    if (EXCLUDED.some((e) => e.match.test(r.url))) continue
    for (const m of methods) if (!have.has(`${m} ${path}`)) missing.push(`${m} ${r.url}`)
  }
  return missing
}

function resolve(doc: any, s: any): any {
  if (s && typeof s.$ref === 'string') {
    const name = s.$ref.split('/').pop()
    return resolve(doc, doc.components?.schemas?.[name])
  }
  return s
}

/**
 * A value the schema accepts (examples, defaults, enums first; otherwise a plain value shaped
 * by the property's name), with `fill(name)` supplying ids the matrix chooses (`orgId`, `memberId`…).
 */
export function sample(doc: any, schema: any, fill: (name: string) => unknown, name = '', depth = 0): unknown {
  const s = resolve(doc, schema)
  if (!s || depth > 6) return undefined
  const given = fill(name)
  if (given !== undefined) return given
  if (s.examples?.length) return s.examples[0]
  if (s.example !== undefined) return s.example
  if (s.const !== undefined) return s.const
  if (s.default !== undefined) return s.default
  if (s.enum?.length) return s.enum[0]
  const alt = s.anyOf ?? s.oneOf
  if (alt) return sample(doc, alt.find((a: any) => resolve(doc, a)?.type !== 'null') ?? alt[0], fill, name, depth + 1)
  if (s.allOf) return Object.assign({}, ...s.allOf.map((a: any) => sample(doc, a, fill, name, depth + 1)))
  const type = Array.isArray(s.type) ? s.type.find((t: string) => t !== 'null') : s.type
  switch (type) {
    case 'object': {
      const o: Record<string, unknown> = {}
      for (const k of s.required ?? []) {
        const v = sample(doc, s.properties?.[k] ?? {}, fill, k, depth + 1)
        if (v !== undefined) o[k] = v
      }
      return o
    }
    case 'array': {
      const n = Math.max(1, s.minItems ?? 0)
      return Array.from({ length: n }, () => sample(doc, s.items ?? {}, fill, name, depth + 1))
    }
    case 'integer':
    case 'number':
      return Math.max(s.minimum ?? 1, s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + 1 : 1)
    case 'boolean':
      return false
    case 'null':
      return null
    default: {
      if (s.format === 'email' || /email/i.test(name)) return 'iso@example.com'
      if (s.format === 'uri' || /url|uri/i.test(name)) return 'https://example.com/iso'
      if (s.format === 'date-time') return '2026-01-01T00:00:00Z'
      if (s.format === 'date') return '2026-01-01'
      if (s.format === 'uuid') return '00000000-0000-4000-8000-000000000000'
      if (/ip|address/i.test(name) && !/email/i.test(name)) return '192.0.2.10'
      if (/host|domain/i.test(name)) return 'iso-matrix.example.com'
      if (/password|secret/i.test(name)) return 'Iso-matrix-password-1'
      const v = 'isomatrix1'
      return s.minLength && s.minLength > v.length ? v.padEnd(s.minLength, 'x') : v
    }
  }
}

/** Runs `tasks` with at most `width` at once (the matrix's cells are independent requests). */
export async function pool(tasks: (() => Promise<void>)[], width: number): Promise<void> {
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < tasks.length) await tasks[next++]!()
  }
  await Promise.all(Array.from({ length: Math.min(width, tasks.length) }, worker))
}
