/** Turns stored distribution groups into the core's, with their lists when asked. */
import type { Db } from '../../store/store.js'
import { readGroupLists, toGroup, type ExchangeGroupRow } from '../../store/exchange.repo.js'
import type { DistributionGroup } from '../../core/exchange.js'

/** The groups of `rows`, each with its lists when `withMembers`. */
export async function groupsOf(db: Db, rows: readonly ExchangeGroupRow[], withMembers: boolean): Promise<DistributionGroup[]> {
  const groups = rows.map(toGroup)
  if (!withMembers) return groups
  const lists = await readGroupLists(db, rows.map((r) => r.id))
  return groups.map((g) => ({ ...g, ...lists.get(g.id)! }))
}
