/**
 * Report definitions as stored (`report_definitions`), and the relation names a report's query
 * must never name (every table and view of the database).
 */
import { sql } from 'kysely'
import type { Db, Dialect } from './store.js'
import type { ReportDefinitionTable } from './schema.js'
import type { ReportDefinition, ReportParameter } from '../core/reports.js'

export type ReportRow = ReportDefinitionTable

/** Maps a stored row to a `ReportDefinition`. */
export function toReport(r: ReportRow): ReportDefinition {
  return {
    id: r.id,
    name: r.name,
    description: r.description,
    parameters: JSON.parse(r.parameters) as ReportParameter[],
    query: r.query,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  }
}

/** The key a report name is unique by. */
export function reportKey(name: string): string {
  return name.toLowerCase()
}

/** Finds a report by name, case-insensitively. */
export async function findReportByName(db: Db, name: string): Promise<ReportRow | undefined> {
  return db.selectFrom('report_definitions').selectAll().where('name_key', '=', reportKey(name)).executeTakeFirst()
}

/** Every report, by name. */
export async function listReportRows(db: Db): Promise<ReportRow[]> {
  return db.selectFrom('report_definitions').selectAll().orderBy('name_key').execute()
}

/** Inserts a report (a taken name breaks `name_key`'s unique index). */
export async function insertReport(db: Db, row: ReportRow): Promise<void> {
  await db.insertInto('report_definitions').values(row).execute()
}

/** Changes a report's fields. */
export async function updateReportRow(db: Db, id: string, set: Partial<Omit<ReportRow, 'id'>>): Promise<void> {
  if (Object.keys(set).length === 0) return
  await db.updateTable('report_definitions').set(set).where('id', '=', id).execute()
}

/** Deletes a report. */
export async function deleteReportRow(db: Db, id: string): Promise<void> {
  await db.deleteFrom('report_definitions').where('id', '=', id).execute()
}

/**
 * The names, lower-cased, of every table and view in the database's own schema (SQLite's
 * `main`, PostgreSQL's current schema): a report's query may name none of them.
 */
export async function relationNames(db: Db, dialect: Dialect): Promise<Set<string>> {
  const rows =
    dialect === 'sqlite'
      ? (await sql<{ name: string }>`select name from sqlite_master where type in ('table', 'view')`.execute(db)).rows
      : (await sql<{ name: string }>`select table_name as name from information_schema.tables where table_schema = any(current_schemas(false))`.execute(db)).rows
  return new Set(rows.map((r) => r.name.toLowerCase()))
}
