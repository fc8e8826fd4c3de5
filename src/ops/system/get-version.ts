import { readFileSync } from 'node:fs'
import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { latestMigrationName } from '../../store/system.repo.js'

/** Clientele's version, as package.json names it (read once). */
const API_VERSION: string = (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version

/**
 * Answers Clientele's version and the database schema's (the latest migration applied), seed
 * 004's `<global><version>`. Any authenticated actor may read it.
 */
export const getVersion = defineOp({
  name: 'version.get',
  input: Type.Object({}, { additionalProperties: false }),
  async run(ctx): Promise<{ api: string; database: string }> {
    return { api: API_VERSION, database: await latestMigrationName(ctx.store.db) }
  },
})
