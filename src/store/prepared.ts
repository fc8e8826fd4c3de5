/**
 * Lookups by one value whose query is built and compiled by Kysely once per database handle,
 * then run with each new value: the SQL is the builder's, only the per-call build and compile
 * (a large share of a point read's cost) is skipped.
 */
import { randomBytes } from 'node:crypto'
import type { Compilable, CompiledQuery } from 'kysely'
import type { Db } from './store.js'

/**
 * `query` with other parameters. Written key by key: on Node 20's V8 `{ ...query, parameters }`
 * takes a slow path (~1 µs), and every prepared read and write makes one. The mapped type makes
 * a field Kysely adds a compile error here rather than a field dropped.
 */
export function withParameters<R>(query: CompiledQuery<R>, parameters: readonly unknown[]): CompiledQuery<R> {
  const q: { [K in keyof Required<CompiledQuery<R>>]: CompiledQuery<R>[K] } = { query: query.query, queryId: query.queryId, sql: query.sql, parameters }
  return q
}

/** Makes a lookup: `build` receives a placeholder for the value and must use it exactly once. */
export function preparedLookup<R>(build: (d: Db, value: string) => Compilable<R>): (d: Db, value: string) => Promise<R | undefined> {
  const placeholder = `\0lookup:${randomBytes(8).toString('hex')}`
  const compiled = new WeakMap<Db, { query: CompiledQuery<R>; at: number }>()
  return async (d, value) => {
    let c = compiled.get(d)
    if (!c) {
      const query = build(d, placeholder).compile()
      const at = query.parameters.indexOf(placeholder)
      if (at < 0 || query.parameters.lastIndexOf(placeholder) !== at) throw new Error('a lookup takes its value exactly once')
      c = { query, at }
      compiled.set(d, c)
    }
    const parameters = c.query.parameters.slice()
    parameters[c.at] = value
    return (await d.executeQuery<R>(withParameters(c.query, parameters))).rows[0]
  }
}

/** A function that stands for a named value while a prepared query is built. */
export type Slot = (name: string) => any

/**
 * Makes a query with named values, built and compiled by Kysely once per database handle (and
 * per `shape`, for queries whose form varies, such as the number of rows inserted): `build`
 * receives `slot(name)`, which stands for the value `values[name]` given at each run. Each
 * parameter of the compiled query is either a slot or a constant of the build.
 */
export function preparedQuery<R = unknown, S extends string | number = number>(
  build: (d: Db, slot: Slot, shape: S) => Compilable<R>,
): (d: Db, values: Record<string, unknown>, shape?: S) => Promise<{ rows: R[]; numAffectedRows?: bigint }> {
  const tag = `\0slot:${randomBytes(8).toString('hex')}:`
  const compiled = new WeakMap<Db, Map<S, { query: CompiledQuery<R>; slots: (string | null)[] }>>()
  return async (d, values, shape = 0 as S) => {
    let byShape = compiled.get(d)
    if (!byShape) compiled.set(d, (byShape = new Map()))
    let c = byShape.get(shape)
    if (!c) {
      const query = build(d, (name) => tag + name, shape).compile()
      const slots = query.parameters.map((p) => (typeof p === 'string' && p.startsWith(tag) ? p.slice(tag.length) : null))
      c = { query, slots }
      byShape.set(shape, c)
    }
    const parameters = c.query.parameters.slice()
    for (let i = 0; i < c.slots.length; i++) {
      const name = c.slots[i] as string | null
      if (name !== null) {
        if (!(name in values)) throw new Error(`prepared query needs a value for ${name}`)
        parameters[i] = values[name]
      }
    }
    return d.executeQuery<R>(withParameters(c.query, parameters))
  }
}
