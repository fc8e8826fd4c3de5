/**
 * Avatar pictures (`avatars`), one per owner — `login:<user id>` or `org:<org id>` — and the
 * pointer to each owner's current one (`users.avatar_sha256`, `orgs.avatar_sha256`), written
 * together so that the two never disagree.
 */
import { sql } from 'kysely'
import type { Db } from './store.js'
import type { AvatarTable } from './schema.js'

/** Who an avatar belongs to. */
export type AvatarOwner = { kind: 'login'; userId: string } | { kind: 'org'; orgNumber: number; orgId: string; orgVersion: number }

function ownerKey(o: AvatarOwner): string {
  return o.kind === 'login' ? `login:${o.userId}` : `org:${o.orgId}`
}

/** An avatar's bytes and what is served with them. */
export interface AvatarFile {
  sha256: string
  contentType: string
  size: number
  bytes: Uint8Array
}

/**
 * Stores `file` as `owner`'s avatar (replacing the one it had: version + 1) and points the owner
 * at it. The organisation's row gets a new version (it answers the avatar's path, and its
 * objects are kept per version); an organisation changed since `orgVersion` answers false and
 * changes nothing. The user's row is pointed at it without a new version: a user's version
 * guards its own fields.
 */
export async function putAvatar(db: Db, owner: AvatarOwner, file: AvatarFile, now: string): Promise<boolean> {
  if (owner.kind === 'org') {
    const res = await db
      .updateTable('orgs')
      .set({ avatar_sha256: file.sha256, updated_at: now, version: owner.orgVersion + 1 })
      .where('number', '=', owner.orgNumber)
      .where('version', '=', owner.orgVersion)
      .executeTakeFirst()
    if (Number(res.numUpdatedRows) === 0) return false
  } else {
    await db.updateTable('users').set({ avatar_sha256: file.sha256 }).where('id', '=', owner.userId).execute()
  }
  const key = ownerKey(owner)
  const row: AvatarTable = { owner: key, sha256: file.sha256, content_type: file.contentType, size: file.size, bytes: file.bytes, version: 1, created_at: now, updated_at: now }
  await db
    .insertInto('avatars')
    .values(row)
    .onConflict((oc) =>
      oc.column('owner').doUpdateSet({
        sha256: file.sha256,
        content_type: file.contentType,
        size: file.size,
        bytes: file.bytes,
        version: sql<number>`avatars.version + 1`,
        updated_at: now,
      }),
    )
    .execute()
  return true
}

/**
 * Removes `owner`'s avatar and the pointer to it; answers whether it had one. An organisation
 * changed since `orgVersion` answers false and changes nothing (as does one without an avatar).
 */
export async function removeAvatar(db: Db, owner: AvatarOwner, now: string): Promise<boolean> {
  const gone = await db.deleteFrom('avatars').where('owner', '=', ownerKey(owner)).executeTakeFirst()
  if (Number(gone.numDeletedRows) === 0) return false
  if (owner.kind === 'org') {
    const res = await db
      .updateTable('orgs')
      .set({ avatar_sha256: null, updated_at: now, version: owner.orgVersion + 1 })
      .where('number', '=', owner.orgNumber)
      .where('version', '=', owner.orgVersion)
      .executeTakeFirst()
    return Number(res.numUpdatedRows) !== 0
  }
  await db.updateTable('users').set({ avatar_sha256: null }).where('id', '=', owner.userId).execute()
  return true
}

/** Finds an avatar by its SHA-256 (any owner's: equal hashes are equal bytes). */
export async function findAvatarBySha256(db: Db, sha256: string): Promise<AvatarFile | undefined> {
  const r = await db.selectFrom('avatars').select(['sha256', 'content_type', 'size', 'bytes']).where('sha256', '=', sha256).limit(1).executeTakeFirst()
  return r && { sha256: r.sha256, contentType: r.content_type, size: r.size, bytes: r.bytes }
}

/** Deletes the avatar of user `userId`, for the user's own deletion. */
export async function deleteLoginAvatarRow(db: Db, userId: string): Promise<void> {
  await db.deleteFrom('avatars').where('owner', '=', `login:${userId}`).execute()
}
