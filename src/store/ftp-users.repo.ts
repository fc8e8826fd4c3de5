/**
 * Customer-controlled FTP users as stored (`ftp_users`). Knows SQL and nothing of actors or
 * rules: see src/ops/ftp/. The password hash is read only by `findFtpUserHash`; the read
 * model (`toFtpUser`) leaves it out.
 */
import type { Db } from './store.js'
import type { FtpUserTable } from './schema.js'
import type { FtpUser, FtpUserType } from '../core/ftp.js'

export type { FtpUser, FtpUserType } from '../core/ftp.js'
export type FtpUserRow = FtpUserTable

/** Maps a stored FTP user to the core's (no password hash). */
export function toFtpUser(r: FtpUserRow): FtpUser {
  return {
    id: r.id,
    orgId: r.org_id,
    name: r.name,
    username: r.username,
    relativeRoot: r.relative_root,
    type: r.type as FtpUserType,
    siteName: r.site_name,
    environmentName: r.environment_name,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  }
}

/** The FTP user `id` of `orgId`, or undefined (also when it belongs to another customer). */
export function findFtpUserRow(db: Db, orgId: string, id: string): Promise<FtpUserRow | undefined> {
  return db.selectFrom('ftp_users').selectAll().where('id', '=', id).where('org_id', '=', orgId).executeTakeFirst()
}

/** The FTP user `id` of whichever customer, or undefined. */
export function findFtpUserById(db: Db, id: string): Promise<FtpUserRow | undefined> {
  return db.selectFrom('ftp_users').selectAll().where('id', '=', id).executeTakeFirst()
}

/** The FTP users of `orgId` by username, optionally only those of a site and/or environment. */
export function listFtpUserRows(db: Db, orgId: string, filter: { siteName?: string | undefined; environmentName?: string | undefined }): Promise<FtpUserRow[]> {
  let q = db.selectFrom('ftp_users').selectAll().where('org_id', '=', orgId)
  if (filter.siteName !== undefined) q = q.where('site_name', '=', filter.siteName)
  if (filter.environmentName !== undefined) q = q.where('environment_name', '=', filter.environmentName)
  return q.orderBy('username_key').execute()
}

/** How many FTP users `orgId` has. */
export async function countFtpUsers(db: Db, orgId: string): Promise<number> {
  const r = await db.selectFrom('ftp_users').select((eb) => eb.fn.countAll<number | string>().as('n')).where('org_id', '=', orgId).executeTakeFirstOrThrow()
  return Number(r.n)
}

/** Inserts an FTP user; a taken username is a unique violation of `ftp_users_username`. */
export async function insertFtpUserRow(db: Db, row: FtpUserRow): Promise<void> {
  await db.insertInto('ftp_users').values(row).execute()
}

/** Changes the fields given of FTP user `id`. */
export async function updateFtpUserRow(db: Db, id: string, fields: Partial<Omit<FtpUserRow, 'id' | 'org_id'>>): Promise<void> {
  await db.updateTable('ftp_users').set(fields).where('id', '=', id).execute()
}

/** Deletes FTP user `id`. */
export async function deleteFtpUserRow(db: Db, id: string): Promise<void> {
  await db.deleteFrom('ftp_users').where('id', '=', id).execute()
}
