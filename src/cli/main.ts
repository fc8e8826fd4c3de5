/**
 * The `clientele` command: `serve`, `worker`, `migrate`, `catalog import|export`, `bandwidth import`, `dev seed`.
 */
import { readFileSync } from 'node:fs'
import { Command, InvalidArgumentError } from 'commander'
import pino from 'pino'
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml'
import { buildApp, createDeps } from '../server.js'
import { DEFAULT_LIMITS as THRIFT_LIMITS } from '../faces/thrift/protocol.js'
import { TCP_DEFAULTS } from '../faces/thrift/tcp.js'
import { ensureMaster } from '../ops/orgs/bootstrap.js'
import { isDomainError } from '../core/errors.js'
import { importCatalog } from '../ops/catalog/import-catalog.js'
import { exportCatalog } from '../ops/catalog/export-catalog.js'
import { seedHierarchy } from './dev-seed.js'
import { parseBandwidthCsv } from './bandwidth-csv.js'
import { importBandwidthBatches } from '../ops/bandwidth/import-bandwidth-batches.js'
import { MAX_SAMPLES_PER_IMPORT } from '../core/bandwidth.js'
import { masterContext } from './master-actor.js'
import { startWorker } from '../jobs/worker.js'

const DEFAULT_DB = process.env.CLIENTELE_DB ?? './data/clientele.db'

const SMTP_FLAGS = '--smtp-url <url>'
const SMTP_HELP = 'send mail from the outbox through this SMTP server, smtp://user:pass@host:587 or smtps://… (env CLIENTELE_SMTP_URL); without one, mail stays in the outbox'

interface MailFlags {
  smtpUrl?: string
  mailFrom?: string
  publicUrl?: string
}

/** The mail settings the flags give (the environment fills the rest, see server.ts `mailSettings`). */
function mailOf(o: MailFlags) {
  return { ...(o.smtpUrl ? { smtpUrl: o.smtpUrl } : {}), ...(o.mailFrom ? { from: o.mailFrom } : {}), ...(o.publicUrl ? { publicUrl: o.publicUrl } : {}) }
}

/** Every command that opens the database takes the key that seals secrets at rest (see src/secret-key.ts). */
const KEY_FILE_FLAGS = '--secret-key-file <path>'
const KEY_FILE_HELP =
  'file of the key sealing secrets at rest (default: $CLIENTELE_SECRET_KEY, else $CLIENTELE_SECRET_KEY_FILE, else secret.key beside the SQLite file, or ./data/secret.key for PostgreSQL)'

function port(v: string): number {
  const n = Number(v)
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('not a port number')
  return n
}

function positive(v: string): number {
  const n = Number(v)
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('not a positive integer')
  return n
}

const program = new Command()
program.name('clientele').description('Customer control plane for cloud and hosting providers').version('0.1.0')

program
  .command('serve')
  .description('run migrations, create the master organisation on first start, and serve every face')
  .option('--host <host>', 'address to listen on', process.env.CLIENTELE_HOST ?? '127.0.0.1')
  .option('--port <port>', 'port to listen on', port, Number(process.env.CLIENTELE_PORT ?? 8080))
  .option('--db <pathOrUrl>', 'SQLite file or postgres:// URL', DEFAULT_DB)
  .option('--pool-size <n>', 'PostgreSQL connections per process', positive, 10)
  .option('--log-requests', 'log every request', false)
  .option('--trust-proxy', 'trust X-Forwarded-For (behind a reverse proxy)', false)
  .option('--secure-cookies', 'mark the session cookie Secure (behind TLS)', false)
  .option('--no-memo', 'read every request from the database (no read memo while it is unchanged)')
  .option('--no-worker', 'run no job worker in this process (run `clientele worker` processes instead)')
  .option('--concurrency <n>', 'jobs the in-process worker runs at once', positive, 4)
  .option(KEY_FILE_FLAGS, KEY_FILE_HELP)
  .option(SMTP_FLAGS, SMTP_HELP)
  .option('--mail-from <address>', 'the From of outgoing mail (env CLIENTELE_MAIL_FROM)')
  .option('--public-url <url>', 'where users reach this server, for links in mail (env CLIENTELE_PUBLIC_URL)')
  .option('--thrift-port <port>', 'also serve the Thrift customer service (seed 001) on this TCP port: framed transport, binary protocol', port)
  .option('--thrift-max-frame <bytes>', 'largest Thrift message accepted, over HTTP and TCP', positive, 1024 * 1024)
  .option('--thrift-frame-timeout <ms>', 'a Thrift TCP frame must be complete this long after its first byte, or its connection is closed', positive, TCP_DEFAULTS.frameMs)
  .option('--thrift-idle-timeout <ms>', 'a Thrift TCP connection idle this long is closed', positive, TCP_DEFAULTS.idleMs)
  .action(async (o: { host: string; port: number; thriftPort?: number; thriftMaxFrame: number; thriftFrameTimeout: number; thriftIdleTimeout: number; db: string; poolSize: number; logRequests: boolean; trustProxy: boolean; secureCookies: boolean; memo: boolean; worker: boolean; concurrency: number; secretKeyFile?: string } & MailFlags) => {
    const deps = createDeps({ db: o.db, poolSize: o.poolSize, memo: o.memo, secretKeyFile: o.secretKeyFile, mail: mailOf(o) })
    // No acknowledged write may be lost: SQLite must journal to WAL and sync FULL, or nothing serves.
    const durable = await deps.store.durability()
    for (const w of durable.warnings) deps.log.warn({ db: deps.store.description }, w)
    if (durable.refusals.length > 0) {
      process.stderr.write(`clientele serve refuses to start: ${durable.refusals.join('; ')}\n`)
      await deps.store.close()
      process.exit(1)
    }
    await deps.store.migrate()
    const boot = await ensureMaster(deps, process.env.CLIENTELE_ADMIN_PASSWORD)
    if (boot.created && boot.password !== undefined && !process.env.CLIENTELE_ADMIN_PASSWORD) {
      // Printed once, to the terminal only (never to the log).
      process.stdout.write(
        `\nCreated the master organisation and its superadmin.\n  username: admin\n  password: ${boot.password}\nKeep it safe: it is not shown again.\n\n`,
      )
    }
    const app = await buildApp(deps, {
      logRequests: o.logRequests,
      trustProxy: o.trustProxy,
      secureCookies: o.secureCookies,
      worker: o.worker ? { concurrency: o.concurrency } : false,
      thriftLimits: { ...THRIFT_LIMITS, maxFrameBytes: o.thriftMaxFrame },
      ...(o.thriftPort !== undefined ? { thriftTcp: { host: o.host, port: o.thriftPort, frameMs: o.thriftFrameTimeout, idleMs: o.thriftIdleTimeout } } : {}),
    })
    const close = async () => {
      await app.close()
      await deps.store.close()
      process.exit(0)
    }
    process.once('SIGINT', close)
    process.once('SIGTERM', close)
    await app.listen({ host: o.host, port: o.port })
    app.log.info({ db: deps.store.description, ...(app.thriftTcp ? { thriftPort: app.thriftTcp.port } : {}) }, 'clientele is serving')
  })

program
  .command('worker')
  .description('run provisioning jobs from the database, beside any number of other workers and servers; stops cleanly on SIGINT/SIGTERM')
  .option('--db <pathOrUrl>', 'SQLite file or postgres:// URL', DEFAULT_DB)
  .option('--concurrency <n>', 'jobs run at once', positive, 4)
  .option('--pool-size <n>', 'PostgreSQL connections per process', positive, 5)
  .option('--lease-ms <ms>', 'lease of a claimed job, renewed while it runs; another worker takes it over this long after a crash', positive, 30_000)
  .option('--retry-base-ms <ms>', 'first retry delay, doubled per attempt with jitter', positive, 1000)
  .option('--grace-ms <ms>', 'on SIGINT/SIGTERM, how long running jobs may finish before they are given back', positive, 5000)
  .option(KEY_FILE_FLAGS, KEY_FILE_HELP)
  .option(SMTP_FLAGS, SMTP_HELP)
  .option('--mail-from <address>', 'the From of outgoing mail (env CLIENTELE_MAIL_FROM)')
  .action(async (o: { db: string; concurrency: number; poolSize: number; leaseMs: number; retryBaseMs: number; graceMs: number; secretKeyFile?: string } & MailFlags) => {
    const deps = createDeps({ db: o.db, poolSize: o.poolSize, secretKeyFile: o.secretKeyFile, mail: mailOf(o) })
    await deps.store.migrate()
    const worker = startWorker(deps, { concurrency: o.concurrency, leaseMs: o.leaseMs, retryBaseMs: o.retryBaseMs, graceMs: o.graceMs })
    const close = async () => {
      await worker.stop()
      await deps.store.close()
      process.exit(0)
    }
    process.once('SIGINT', close)
    process.once('SIGTERM', close)
    deps.log.info({ db: deps.store.description, worker: worker.name }, 'clientele worker is running')
  })

program
  .command('migrate')
  .description('run database migrations (and seal driver secrets still stored in clear) and exit')
  .option('--db <pathOrUrl>', 'SQLite file or postgres:// URL', DEFAULT_DB)
  .option(KEY_FILE_FLAGS, KEY_FILE_HELP)
  .action(async (o: { db: string; secretKeyFile?: string }) => {
    const deps = createDeps({ db: o.db, secretKeyFile: o.secretKeyFile })
    const r = await deps.store.migrate()
    for (const m of r.results ?? []) console.log(`${m.status === 'Success' ? 'applied' : m.status}: ${m.migrationName}`)
    if (!r.results?.length) console.log('up to date')
    await deps.store.close()
  })

/** Dependencies for a command whose stdout is its answer: logs go to stderr, warnings and worse only. */
function quietDeps(db: string, secretKeyFile: string | undefined) {
  return createDeps({ db, secretKeyFile, logger: pino({ level: process.env.LOG_LEVEL ?? 'warn' }, pino.destination(2)) })
}

const catalog = program.command('catalog').description('the service catalogue as a YAML document (examples/catalog.yaml)')
catalog
  .command('import')
  .description(
    'make the catalogue hold FILE (YAML; `-` reads stdin), in one transaction, as the master organisation\'s superadmin: ' +
      'each service and location it names is made exactly as written; others are kept unless --prune. Importing it again changes nothing.',
  )
  .argument('<file>', 'the catalogue document (YAML or JSON)')
  .option('--db <pathOrUrl>', 'SQLite file or postgres:// URL', DEFAULT_DB)
  .option('--prune', 'also remove the services and locations FILE does not name', false)
  .option(KEY_FILE_FLAGS, KEY_FILE_HELP)
  .action(async (file: string, o: { db: string; prune: boolean; secretKeyFile?: string }) => {
    const text = readFileSync(file === '-' ? 0 : file, 'utf8')
    let document: unknown
    try {
      document = parseYaml(text)
    } catch (e) {
      throw new Error(`${file} is not valid YAML: ${(e as Error).message}`)
    }
    if (document === null || document === undefined) throw new Error(`${file} is empty`)
    const deps = quietDeps(o.db, o.secretKeyFile)
    try {
      await deps.store.migrate()
      const boot = await ensureMaster(deps, process.env.CLIENTELE_ADMIN_PASSWORD)
      if (boot.created && boot.password !== undefined && !process.env.CLIENTELE_ADMIN_PASSWORD) {
        process.stderr.write(`Created the master organisation and its superadmin admin, password: ${boot.password}\nKeep it safe: it is not shown again.\n`)
      }
      const ctx = await masterContext(deps)
      const summary = await importCatalog(ctx, { document: document as Parameters<typeof importCatalog>[1]['document'], prune: o.prune }).catch(
        (e: unknown) => {
          // Name the file, and fields as the file spells them (`services.0.version`).
          throw isDomainError(e) ? new Error(`${file}: ${e.message.replace(/\bdocument\./, '')}`) : e
        },
      )
      const lines = Object.entries(summary).map(
        ([kind, c]) => `${kind}: ${c.created} created, ${c.updated} updated, ${c.deleted} deleted, ${c.unchanged} unchanged`,
      )
      const changed = Object.values(summary).some((c) => c.created + c.updated + c.deleted > 0)
      console.log(`${lines.join('\n')}\n${changed ? 'imported' : 'no changes'}`)
    } finally {
      await deps.store.close()
    }
  })
catalog
  .command('export')
  .description(
    'write the whole catalogue as YAML on stdout, hidden properties and driver settings included (the document import takes); ' +
      'secret settings are written as {set: true}, which import reads as "keep the stored secret"',
  )
  .option('--db <pathOrUrl>', 'SQLite file or postgres:// URL', DEFAULT_DB)
  .option(KEY_FILE_FLAGS, KEY_FILE_HELP)
  .action(async (o: { db: string; secretKeyFile?: string }) => {
    const deps = quietDeps(o.db, o.secretKeyFile)
    try {
      await deps.store.migrate()
      const doc = await exportCatalog(await masterContext(deps), { filter: 'all' })
      process.stdout.write(stringifyYaml(doc, { lineWidth: 0 }))
    } finally {
      await deps.store.close()
    }
  })

const bandwidth = program.command('bandwidth').description("customers' traffic samples, for billable bandwidth")
bandwidth
  .command('import')
  .description(
    'record the samples of FILE (CSV lines customer,timestamp,in,out; `-` reads stdin) as the master organisation\'s superadmin, in one transaction: ' +
      'customer by org id or short code, timestamp ISO 8601 or Unix seconds, in and out the average bits per second over the 5-minute slot. ' +
      `At most ${MAX_SAMPLES_PER_IMPORT} samples; a sample for a slot already stored replaces it. Any bad line is reported with its number and nothing is imported.`,
  )
  .argument('<file>', 'the CSV file')
  .option('--db <pathOrUrl>', 'SQLite file or postgres:// URL', DEFAULT_DB)
  .option(KEY_FILE_FLAGS, KEY_FILE_HELP)
  .action(async (file: string, o: { db: string; secretKeyFile?: string }) => {
    const parsed = parseBandwidthCsv(readFileSync(file === '-' ? 0 : file, 'utf8'))
    if (!parsed.ok) {
      const shown = parsed.errors.slice(0, 50).map((e) => `${file}:${e.line}: ${e.message}`)
      if (parsed.errors.length > shown.length) shown.push(`… and ${parsed.errors.length - shown.length} more bad lines`)
      throw new Error(`${shown.join('\n')}\nnothing imported`)
    }
    if (parsed.count === 0) throw new Error(`${file} holds no samples`)
    if (parsed.count > MAX_SAMPLES_PER_IMPORT) throw new Error(`${file} holds ${parsed.count} samples; at most ${MAX_SAMPLES_PER_IMPORT} per import: split it\nnothing imported`)
    const deps = quietDeps(o.db, o.secretKeyFile)
    try {
      await deps.store.migrate()
      const ctx = await masterContext(deps)
      const results = await importBandwidthBatches(ctx, { batches: parsed.batches.map((b) => ({ customer: b.customer, samples: b.samples })) }).catch((e: unknown) => {
        if (!isDomainError(e)) throw e
        // Name the line the offending sample or customer came from.
        const m = /^batches\.(\d+)(?:\.samples\.(\d+))?/.exec(String(e.details?.field ?? ''))
        const batch = m ? parsed.batches[Number(m[1])] : undefined
        const line = batch ? batch.lines[m![2] === undefined ? 0 : Number(m![2])] : undefined
        const message = e.message.replace(/^batches\.\d+\.samples\.\d+\.at: /, '')
        throw new Error(`${file}${line ? `:${line}` : ''}: ${message}\nnothing imported`)
      })
      for (const [i, r] of results.entries()) console.log(`${parsed.batches[i]!.customer}: ${r.received} samples, ${r.inserted} new, ${r.replaced} replaced`)
      const sum = (k: 'inserted' | 'replaced') => results.reduce((n, r) => n + r[k], 0)
      console.log(`imported ${parsed.count} samples for ${results.length} customers (${sum('inserted')} new, ${sum('replaced')} replaced)`)
    } finally {
      await deps.store.close()
    }
  })

const dev = program.command('dev').description('tools for development and benchmarks')
dev
  .command('seed')
  .description('build a hierarchy of N organisations under the master organisation (resellers with customers, several levels)')
  .requiredOption('--orgs <n>', 'how many organisations to add', positive)
  .option('--db <pathOrUrl>', 'SQLite file or postgres:// URL', DEFAULT_DB)
  .option('--fanout <n>', 'customers per reseller', positive, 20)
  .option(KEY_FILE_FLAGS, KEY_FILE_HELP)
  .action(async (o: { orgs: number; db: string; fanout: number; secretKeyFile?: string }) => {
    const deps = createDeps({ db: o.db, secretKeyFile: o.secretKeyFile })
    await deps.store.migrate()
    await ensureMaster(deps, process.env.CLIENTELE_ADMIN_PASSWORD)
    const started = Date.now()
    await seedHierarchy(deps, { orgs: o.orgs, fanout: o.fanout, progress: process.stderr.isTTY ? 'bar' : 'lines' })
    console.log(`seeded ${o.orgs} organisations in ${((Date.now() - started) / 1000).toFixed(1)} s`)
    await deps.store.close()
  })

program.parseAsync().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e)
  process.exit(1)
})
