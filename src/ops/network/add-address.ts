import { Type } from 'typebox'
import { defineOp, type Ctx } from '../context.js'
import { getOrgInScope, requireAncestor, requirePermission } from '../access.js'
import { DomainError } from '../../core/errors.js'
import { newId } from '../../core/ids.js'
import type { IpAddressDetails, IpFamily } from '../../core/network.js'
import type { Db } from '../../store/store.js'
import { nowIso } from '../../store/store.js'
import { rowLock } from '../../store/cloud.repo.js'
import { claimAddress, findAddressByKey, listPoolRows, lockPool, poolKeysFrom, poolStats, type IpPoolRow } from '../../store/network.repo.js'
import { contains, format, keyOf, lastOf, parseAddress, usableRange, valueOfKey, type Network } from './ip-math.js'
import { getPoolView, networkOf } from './pools.js'
import { detailsOf } from './list-addresses.js'

/** Keys read per step while looking for a gap in a pool. */
const BATCH = 256
/** Claims tried before giving up when every candidate is taken under us (only if the pool lock did not hold). */
const MAX_CLAIMS = 8

/**
 * Gives a customer an address: the one asked for (`address`: it must lie in a pool, in `pool`
 * when that is given, be free, and be none of the pool's network, broadcast or gateway
 * addresses), or else the lowest free address of `pool` (by id or name), or of the first pool
 * by name with one free. An address is never given twice: the pool's row is locked while
 * choosing (PostgreSQL), and a unique key on the address decides in the end (a lost race
 * moves on to the next free address).
 *
 * Errors: `invalid_argument` (not an address, not in a pool, reserved), `already_exists` (the
 * address is held), `failed_precondition` (the pool, or every pool, has no free address),
 * `not_found` (no such customer in the actor's subtree, or no such pool). Only a parent
 * organisation's actor with `org.write` may give addresses (`forbidden` otherwise).
 */
export const addAddress = defineOp({
  name: 'ip_address.add',
  input: Type.Object(
    {
      orgId: Type.String({ maxLength: 64 }),
      pool: Type.Optional(Type.String({ maxLength: 200 })),
      address: Type.Optional(Type.String({ maxLength: 64 })),
    },
    { additionalProperties: false },
  ),
  async run(ctx, input): Promise<IpAddressDetails> {
    requirePermission(ctx, 'org.write')
    const asked = input.address === undefined ? undefined : parseAddress(input.address, 'address')
    return ctx.store.write(async (trx) => {
      const org = await getOrgInScope(ctx, trx, input.orgId)
      requireAncestor(ctx, org, 'give it IP addresses')
      if (org.status === 'deleted') throw new DomainError('failed_precondition', 'a deleted organisation cannot be given IP addresses')
      const pools = input.pool !== undefined ? [await getPoolView(trx, input.pool)] : await listPoolRows(trx)
      const now = nowIso(ctx.clock)
      if (asked) {
        const pool = pools.find((p) => contains(networkOf(p), asked.family, asked.value))
        if (!pool) {
          const where = input.pool !== undefined ? `pool ${JSON.stringify(pools[0]!.name)}` : 'any pool'
          throw new DomainError('invalid_argument', `${input.address} is not in ${where}`, { field: 'address' })
        }
        const row = await lockedPool(ctx, trx, pool)
        const n = networkOf(row)
        const r = usableRange(n)
        const text = format(asked.family, asked.value)
        if (asked.value < r.first || asked.value > r.last || text === row.gateway) {
          const what = asked.value === n.base ? 'network' : asked.value === lastOf(n) ? 'broadcast' : 'gateway'
          throw new DomainError('invalid_argument', `${text} is the ${what} address of pool ${JSON.stringify(row.name)} and is never given`, { field: 'address' })
        }
        if (!(await claimAddress(trx, addressRow(row, org.id, asked.family, asked.value, now)))) {
          const holder = await findAddressByKey(trx, keyOf(asked.family, asked.value))
          const mine = holder?.org_id === org.id
          throw new DomainError('already_exists', `${text} is already given${mine ? ' to this customer' : ''}`, { field: 'address' })
        }
        return detailsOf(row, text, now)
      }
      for (const p of pools) {
        const row = await lockedPool(ctx, trx, p)
        const n = networkOf(row)
        const gateway = parseAddress(row.gateway, 'gateway').value
        for (let tries = 0; tries < MAX_CLAIMS; tries++) {
          const v = await nextFree(trx, row.id, n, gateway)
          if (v === undefined) break
          if (await claimAddress(trx, addressRow(row, org.id, n.family, v, now))) return detailsOf(row, format(n.family, v), now)
        }
      }
      if (input.pool !== undefined) throw new DomainError('failed_precondition', `pool ${JSON.stringify(pools[0]!.name)} has no free address`)
      throw new DomainError('failed_precondition', pools.length === 0 ? 'no IP address pool is defined' : 'no IP address pool has a free address')
    })
  },
})

/** Locks the pool's row (PostgreSQL) for the rest of the transaction; `not_found` when it went meanwhile. */
async function lockedPool(ctx: Ctx, trx: Db, p: IpPoolRow): Promise<IpPoolRow> {
  const row = await lockPool(trx, p.id, rowLock(ctx.store.dialect, 'update'))
  if (!row) throw new DomainError('not_found', `IP pool ${JSON.stringify(p.name)} not found`, { resource: 'ip_pool' })
  return row
}

function addressRow(pool: IpPoolRow, orgId: string, family: IpFamily, v: bigint, now: string) {
  return { id: newId(), pool_id: pool.id, org_id: orgId, address: format(family, v), address_key: keyOf(family, v), created_at: now }
}

/**
 * The lowest free address of a pool, never its gateway, or undefined when it is full. When the
 * given addresses fill the range up to the highest one without a gap (the usual case), the
 * answer is the one after it at once; otherwise the pool's keys are read in order from the
 * start, `BATCH` at a time, to the first gap. The range itself is never enumerated.
 */
async function nextFree(trx: Db, poolId: string, n: Network, gateway: bigint): Promise<bigint | undefined> {
  const { first, last } = usableRange(n)
  const skip = (c: bigint) => (c === gateway ? c + 1n : c)
  const stats = await poolStats(trx, poolId)
  if (stats.maxKey === null) {
    const c = skip(first)
    return c <= last ? c : undefined
  }
  const max = valueOfKey(stats.maxKey)
  const span = max - first + 1n - (gateway >= first && gateway <= max ? 1n : 0n)
  if (BigInt(stats.n) >= span) {
    const c = skip(max + 1n)
    return c <= last ? c : undefined
  }
  let cand = skip(first)
  for (;;) {
    if (cand > last) return undefined
    const keys = await poolKeysFrom(trx, poolId, keyOf(n.family, cand), BATCH)
    for (const k of keys) {
      if (valueOfKey(k) !== cand) return cand
      cand = skip(cand + 1n)
      if (cand > last) return undefined
    }
    if (keys.length < BATCH) return cand
  }
}
