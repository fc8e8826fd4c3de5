/** What every entity handler of the face shares: the call, the steps of a SET, and where an error arose. */
import { isDomainError } from '../../core/errors.js'
import type { Actor, Ctx, Deps, WriteJournal } from '../../ops/context.js'
import { fromDomainError, type Entity, type WireError } from './errors.js'

/** One call: who acts, and the context its reads run in. */
export interface Call {
  deps: Deps
  actor: Actor
  read: Ctx
  /** The journal of a call sent with an `Idempotency-Key` (its writes; see ops/idempotency.ts). */
  journal?: WriteJournal
}

/** One mutating operation of a SET or DELETE, run after the whole document was checked. */
export interface Step {
  where: Entity
  run(ctx: Ctx): Promise<unknown>
}

/** An error located at the entity the face was working on (decides the seed code). */
export class WireFailure extends Error {
  constructor(readonly wire: WireError) {
    super(wire.message)
  }
}

/** Runs `p`, answering a domain error as met while working on `where`. */
export async function at<T>(where: Entity, p: Promise<T> | (() => Promise<T>)): Promise<T> {
  try {
    return await (typeof p === 'function' ? p() : p)
  } catch (e) {
    if (isDomainError(e)) throw new WireFailure(fromDomainError(e, where))
    throw e
  }
}

