/**
 * What the domain operations share: which registrar takes a domain, how a registrar is shown,
 * and the call to its driver (outside any transaction), its answer turned into a DomainError.
 */
import type { Ctx } from '../context.js'
import { DomainError, isDomainError } from '../../core/errors.js'
import type { Db } from '../../store/store.js'
import { findRegistrarRow, listRegistrarRows, type DomainRow, type RegistrarRow } from '../../store/domains.repo.js'
import {
  BUILT_IN_REGISTRAR,
  DEFAULT_REGISTRAR_TIMEOUT_S,
  findRegistrarDriver,
  openRegistrarSettings,
  type RegistrarCall,
  type RegistrarDriver,
} from '../../registrars/index.js'
import type { Registrar } from './schema.js'
import type { DomainName } from './domain-name.js'
import { newId } from '../../core/ids.js'

/** A reservation (`pending`) or a release (`unregistering`) older than this was left by a process that died: it may be taken over. */
export const STALE_AFTER_MS = 5 * 60_000

/** True when a domain row in `pending` or `unregistering` was left behind (see STALE_AFTER_MS). */
export function isStale(row: DomainRow, nowMs: number): boolean {
  return row.status !== 'registered' && Date.parse(row.updated_at) < nowMs - STALE_AFTER_MS
}

/** A registrar chosen for a call: its name, driver and stored settings. */
export interface RegistrarChoice {
  name: string
  driver: RegistrarDriver
  /** The stored settings (sealed secret), opened only for the call. */
  config: string
}

const builtIn = (): RegistrarChoice => ({ name: BUILT_IN_REGISTRAR, driver: findRegistrarDriver('local')!, config: '{}' })

/** The TLDs a registrar lists. */
export function tldsOf(r: RegistrarRow): string[] {
  return JSON.parse(r.tlds) as string[]
}

function choiceOf(r: RegistrarRow): RegistrarChoice {
  const driver = findRegistrarDriver(r.driver)
  if (!driver) throw new DomainError('internal', `registrar ${r.name} names an unknown driver ${r.driver}`)
  return { name: r.name, driver, config: r.config }
}

/**
 * The registrar a new domain with top-level label `tld` goes to: the one listing `tld` (the
 * first by name, should two), else the default one when it serves `tld` (it lists no TLDs, or
 * this one), else the built-in `local`. Inside a write transaction the registrars are
 * share-locked on PostgreSQL, so that none is deleted or changed under the reservation.
 */
export async function chooseRegistrar(ctx: Ctx, trx: Db, tld: string): Promise<RegistrarChoice> {
  const rows = await listRegistrarRows(trx, ctx.store.dialect, 'share')
  const listing = rows.find((r) => tldsOf(r).includes(tld))
  if (listing) return choiceOf(listing)
  const def = rows.find((r) => r.is_default === 1)
  if (def && tldsOf(def).length === 0) return choiceOf(def)
  return builtIn()
}

/** The registrar named `name` (a domain row's), share-locked on PostgreSQL; `local` is the built-in one. */
export async function registrarByName(ctx: Ctx, trx: Db, name: string): Promise<RegistrarChoice> {
  if (name === BUILT_IN_REGISTRAR) return builtIn()
  const row = await findRegistrarRow(trx, ctx.store.dialect, name, 'share')
  if (!row) throw new DomainError('failed_precondition', `registrar ${name} no longer exists`)
  return choiceOf(row)
}

/** A registrar as the actor sees it: its settings only for catalogue writers, its secret never. */
export function toRegistrar(r: RegistrarRow, showSettings: boolean): Registrar {
  const config = JSON.parse(r.config) as { url?: string; timeoutSeconds?: number; secret?: unknown }
  const out: Registrar = { name: r.name, driver: r.driver as Registrar['driver'], tlds: tldsOf(r), isDefault: r.is_default === 1, builtIn: false }
  if (showSettings && r.driver === 'webhook') {
    if (config.url !== undefined) out.url = config.url
    out.timeoutSeconds = config.timeoutSeconds ?? DEFAULT_REGISTRAR_TIMEOUT_S
    if (config.secret !== undefined && config.secret !== '') out.secret = { set: true }
  }
  out.createdAt = r.created_at
  out.updatedAt = r.updated_at
  return out
}

/** The built-in registrar as listed: the default while no stored registrar is. */
export function builtInRegistrar(isDefault: boolean): Registrar {
  return { name: BUILT_IN_REGISTRAR, driver: 'local', tlds: [], isDefault, builtIn: true }
}

/**
 * Asks registrar `choice` to carry out `call`, outside any transaction. A refusal throws
 * `failed_precondition` with the registrar's reason; a registrar that cannot be asked throws
 * `unavailable`. Bounded by the registrar's timeout and by the caller's `maxduration`
 * (`deadline_exceeded`), measured from `startedAt`. No message holds the credentials.
 */
export async function callRegistrar(
  ctx: Ctx,
  choice: RegistrarChoice,
  action: RegistrarCall['action'],
  name: DomainName,
  org: { id: string; name: string },
  credentials: { username?: string | undefined; password?: string | undefined },
  startedAt: number,
): Promise<void> {
  const call: RegistrarCall = {
    action,
    domain: name.ascii,
    unicodeDomain: name.unicode,
    customer: { id: org.id, name: org.name },
    credentials: { username: credentials.username ?? '', password: credentials.password ?? '' },
    requestGuid: ctx.request?.guid ?? newId(),
  }
  const opened = openRegistrarSettings(ctx.secrets, choice.name, choice.config)
  if (!opened.ok) throw new DomainError('unavailable', opened.error)
  const max = ctx.exec?.maxDurationMs
  // Stop a little before the deadline, so that the reservation can still be released.
  // An ordinary timer, cleared when the call ends: AbortSignal.timeout's timer is held only
  // weakly, and once collected it never fires, so the deadline could be overrun.
  const stop = max !== undefined ? new AbortController() : undefined
  const timer = stop ? setTimeout(() => stop.abort(new Error('maxduration')), Math.max(1, max! - (ctx.clock() - startedAt) - 100)) : undefined
  const deadline = stop?.signal
  let outcome
  try {
    outcome = await choice.driver.call({ settings: opened.settings, clock: ctx.clock }, call, deadline)
  } catch (e) {
    if (deadline?.aborted) {
      throw new DomainError('deadline_exceeded', `registrar ${choice.name} had not answered when the maxduration of ${max} ms ran out`)
    }
    if (isDomainError(e)) throw e
    // Never the call itself in the log: it holds the credentials.
    ctx.log.error({ err: e, registrar: choice.name, action: call.action, domain: call.domain }, 'registrar driver failed')
    throw new DomainError('unavailable', `registrar ${choice.name} failed to answer`)
  } finally {
    clearTimeout(timer)
  }
  if (outcome.ok) return
  throw new DomainError(outcome.kind === 'refused' ? 'failed_precondition' : 'unavailable', outcome.message)
}
