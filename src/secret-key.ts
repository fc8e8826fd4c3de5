/**
 * Where the key that seals secrets at rest (see core/sealed.ts) comes from. Every process
 * started the same way must find the same key, or it cannot use the secrets the others stored:
 *
 * 1. `CLIENTELE_SECRET_KEY`: base64 of 32 bytes (several, comma-separated, to rotate: the first
 *    seals, all open).
 * 2. `--secret-key-file <path>` or `CLIENTELE_SECRET_KEY_FILE`: a file of such keys, one a line.
 *    A file named this way must exist (a missing mount must not quietly become a new key).
 * 3. Otherwise `secret.key` in the data directory: the SQLite database file's directory
 *    (`./data/secret.key` beside `./data/clientele.db`), or `./data` under the working directory
 *    for PostgreSQL. It is created on first use (mode 0600), atomically, so processes starting
 *    together agree on one key.
 *
 * An in-memory SQLite database (`:memory:`) gets a key of its own that dies with it.
 */
import { existsSync, linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { randomBytes } from 'node:crypto'
import { keyringFromText, keyringOf, newKeyText, type Keyring } from './core/sealed.js'
import { isPostgresUrl } from './store/store.js'

export const SECRET_KEY_ENV = 'CLIENTELE_SECRET_KEY'
export const SECRET_KEY_FILE_ENV = 'CLIENTELE_SECRET_KEY_FILE'

export interface SecretKeyOptions {
  /** The database (SQLite path or `postgres://` URL): the default key file lives beside it. */
  db: string
  /** A key file named on the command line; wins over `CLIENTELE_SECRET_KEY_FILE`. */
  file?: string
  env?: NodeJS.ProcessEnv
}

/** The default key file for the database `db`. */
export function defaultKeyFile(db: string): string {
  return isPostgresUrl(db) ? resolve('data', 'secret.key') : join(dirname(resolve(db)), 'secret.key')
}

/** Loads (or, for the default file, creates) this process's keyring; see the module's comment. */
export function loadSecretKeyring(opts: SecretKeyOptions): Keyring {
  const env = opts.env ?? process.env
  const inline = env[SECRET_KEY_ENV]
  if (inline !== undefined && inline.trim() !== '') return keyringFromText(inline, SECRET_KEY_ENV)
  const named = opts.file ?? (env[SECRET_KEY_FILE_ENV] || undefined)
  if (named !== undefined) {
    let text: string
    try {
      text = readFileSync(named, 'utf8')
    } catch (e) {
      throw new Error(`cannot read the secret key file ${named}: ${(e as Error).message}`)
    }
    return keyringFromText(text, named)
  }
  if (!isPostgresUrl(opts.db) && (opts.db === ':memory:' || opts.db === '')) return keyringOf([randomBytes(32)], 'an in-memory key')
  const file = defaultKeyFile(opts.db)
  createKeyFile(file)
  return keyringFromText(readFileSync(file, 'utf8'), file)
}

/**
 * Creates `file` with a new key unless it exists. The key is written to a private temporary
 * file first and linked into place, which fails if another process got there first: nobody
 * ever reads a half-written key, and two processes never keep different keys.
 */
function createKeyFile(file: string): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 })
  if (existsSync(file)) return
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`
  writeFileSync(tmp, newKeyText(), { mode: 0o600, flag: 'wx' })
  try {
    linkSync(tmp, file)
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e
  } finally {
    unlinkSync(tmp)
  }
}
