/**
 * What the RPC faces' isolation matrix checks of one answer, whatever the face: an answer is
 * reduced to an `Outcome` (ok, or the face's error with its code, field and message with the
 * ids the call named replaced by `<id>`), and the README's policy ("Users and roles") is
 * applied to it:
 *
 * * outside the actor's subtree (sibling, foreign, parent): exactly the outcome of the
 *   `nonexistent` id (same code, same field, same message shape);
 * * inside it (own, child): never `not_found`; a write by a role whose permissions (`GET
 *   /roles`) hold no write is `forbidden` (a role holding writes may still meet a rule, e.g. only
 *   a parent gives an organisation addresses, so `forbidden` is not judged for it);
 * * every answer: no id of an organisation (or object) outside the subtree that the call did
 *   not name itself.
 */
import type { Relation } from './isolation-fixture.js'
import { INSIDE } from './isolation-fixture.js'

export interface Outcome {
  /** `ok`, or the face's error code (`not_found`, a fault code, a seed error number …). */
  kind: string
  /** The normalised error: code, field and message with the call's ids replaced. */
  shape: string
  /** The answer's raw text, for the foreign-id search. */
  raw: string
}

/** How a face spells the two codes the policy names. */
export interface FaceCodes {
  notFound: ReadonlySet<string>
  forbidden: ReadonlySet<string>
}

export interface Cell {
  face: string
  call: string
  role: string
  relation: Relation
  mutates: boolean
  outcome: Outcome
  /** Ids the call itself named (they may be echoed). */
  named: string[]
  /** A search (FIND): finding nothing for a nonexistent name is its right answer. */
  search?: boolean
}

/** The role's standing: `none` holds no write permission, `all` every permission. */
export type Standing = 'none' | 'all' | 'some'

export function normalise(text: string, ids: readonly string[]): string {
  let out = text
  for (const id of [...ids].filter((i) => i.length > 0).sort((a, b) => b.length - a.length)) {
    // Short ids (integers, codes) only as whole words, or a number would eat digits of the text.
    out = id.length >= 8 ? out.split(id).join('<id>') : out.replace(new RegExp(`\\b${id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`, 'g'), '<id>')
  }
  return out
}

/**
 * The mismatches of one (face, call, role) row: `cells` holds one cell per relation.
 * `foreignIds` are the ids no answer to this actor may carry unless the call named them.
 */
export function judgeRow(cells: Cell[], codes: FaceCodes, standing: Standing, foreignIds: readonly string[], inside: ReadonlySet<Relation> = INSIDE): string[] {
  const out: string[] = []
  const by = new Map(cells.map((c) => [c.relation, c]))
  const none = by.get('nonexistent')
  for (const c of cells) {
    const where = `${c.face} ${c.call} as ${c.role} on ${c.relation}`
    if (inside.has(c.relation)) {
      if (codes.notFound.has(c.outcome.kind)) out.push(`${where}: inside the subtree but answered not-found (${c.outcome.shape})`)
      if (c.mutates && standing === 'none' && !codes.forbidden.has(c.outcome.kind)) out.push(`${where}: a write by a role without write permissions answered ${c.outcome.shape}, not forbidden`)
    } else if (c.relation !== 'nonexistent' && none !== undefined && c.outcome.shape !== none.outcome.shape) {
      out.push(`${where}: answered ${c.outcome.shape} where the nonexistent id answers ${none.outcome.shape}`)
    }
    if (c.relation === 'nonexistent' && c.outcome.kind === 'ok' && c.named.length > 0 && c.search !== true) out.push(`${where}: a nonexistent id answered ok`)
    // Only ids that cannot occur by chance (UUIDs, the organisations' tagged names) are searched
    // for; small integers and short codes would.
    for (const id of foreignIds.filter((i) => /^[0-9a-f]{8}-[0-9a-f]{4}-/.test(i) || /^Isolation .+ \S{8}$/.test(i))) {
      if (!c.named.includes(id) && c.outcome.raw.includes(id)) out.push(`${where}: the answer carries the foreign id ${id}`)
    }
  }
  return out
}
