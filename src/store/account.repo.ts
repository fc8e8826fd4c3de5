/** A customer's support PIN and its owner's pending e-mail changes (seed 001's changePIN, changeEmail). */
import type { Db } from './store.js'
import type { EmailChangeTable } from './schema.js'

/** Sets (or replaces) an organisation's PIN hash. */
export async function upsertCustomerPin(db: Db, orgId: string, pinHash: string, at: string): Promise<void> {
  await db
    .insertInto('customer_pins')
    .values({ org_id: orgId, pin_hash: pinHash, updated_at: at })
    .onConflict((oc) => oc.column('org_id').doUpdateSet({ pin_hash: pinHash, updated_at: at }))
    .execute()
}

/** The organisation's PIN hash, or undefined when it has none. */
export async function findCustomerPinHash(db: Db, orgId: string): Promise<string | undefined> {
  const row = await db.selectFrom('customer_pins').select('pin_hash').where('org_id', '=', orgId).executeTakeFirst()
  return row?.pin_hash
}

/** Stores a pending e-mail change, replacing any the user had. */
export async function replaceEmailChange(db: Db, row: EmailChangeTable): Promise<void> {
  await db.deleteFrom('email_changes').where('user_id', '=', row.user_id).execute()
  await db.insertInto('email_changes').values(row).execute()
}

/** The user's pending (unexpired) e-mail change, if any. */
export async function findPendingEmailChange(db: Db, userId: string, nowIso: string): Promise<EmailChangeTable | undefined> {
  return db.selectFrom('email_changes').selectAll().where('user_id', '=', userId).where('expires_at', '>', nowIso).executeTakeFirst()
}

/** Drops the user's pending e-mail change (an address set at once outdates it). */
export async function deleteEmailChanges(db: Db, userId: string): Promise<void> {
  await db.deleteFrom('email_changes').where('user_id', '=', userId).execute()
}

/**
 * Takes the live change whose token digest is `tokenHash` in one conditional DELETE and answers
 * it; of two concurrent confirmations one gets the row, the other undefined.
 */
export async function consumeEmailChange(db: Db, tokenHash: string, nowIso: string): Promise<EmailChangeTable | undefined> {
  return db.deleteFrom('email_changes').where('token_hash', '=', tokenHash).where('expires_at', '>', nowIso).returningAll().executeTakeFirst()
}

/** Deletes expired changes; answers how many. */
export async function purgeEmailChanges(db: Db, nowIso: string): Promise<number> {
  const res = await db.deleteFrom('email_changes').where('expires_at', '<=', nowIso).executeTakeFirst()
  return Number(res.numDeletedRows)
}
