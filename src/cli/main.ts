/**
 * The `clientele` command: `serve`, `migrate`, `dev seed`.
 */
import { Command, InvalidArgumentError } from 'commander'
import { buildApp, createDeps } from '../server.js'
import { ensureMaster } from '../ops/orgs/bootstrap.js'
import { seedHierarchy } from './dev-seed.js'

const DEFAULT_DB = process.env.CLIENTELE_DB ?? './data/clientele.db'

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
  .action(async (o: { host: string; port: number; db: string; poolSize: number; logRequests: boolean; trustProxy: boolean; secureCookies: boolean; memo: boolean }) => {
    const deps = createDeps({ db: o.db, poolSize: o.poolSize, memo: o.memo })
    await deps.store.migrate()
    const boot = await ensureMaster(deps, process.env.CLIENTELE_ADMIN_PASSWORD)
    if (boot.created && boot.password !== undefined && !process.env.CLIENTELE_ADMIN_PASSWORD) {
      // Printed once, to the terminal only (never to the log).
      process.stdout.write(
        `\nCreated the master organisation and its superadmin.\n  username: admin\n  password: ${boot.password}\nKeep it safe: it is not shown again.\n\n`,
      )
    }
    const app = await buildApp(deps, { logRequests: o.logRequests, trustProxy: o.trustProxy, secureCookies: o.secureCookies })
    const close = async () => {
      await app.close()
      await deps.store.close()
      process.exit(0)
    }
    process.once('SIGINT', close)
    process.once('SIGTERM', close)
    await app.listen({ host: o.host, port: o.port })
    app.log.info({ db: deps.store.description }, 'clientele is serving')
  })

program
  .command('migrate')
  .description('run database migrations and exit')
  .option('--db <pathOrUrl>', 'SQLite file or postgres:// URL', DEFAULT_DB)
  .action(async (o: { db: string }) => {
    const deps = createDeps({ db: o.db })
    const r = await deps.store.migrate()
    for (const m of r.results ?? []) console.log(`${m.status === 'Success' ? 'applied' : m.status}: ${m.migrationName}`)
    if (!r.results?.length) console.log('up to date')
    await deps.store.close()
  })

const dev = program.command('dev').description('tools for development and benchmarks')
dev
  .command('seed')
  .description('build a hierarchy of N organisations under the master organisation (resellers with customers, several levels)')
  .requiredOption('--orgs <n>', 'how many organisations to add', positive)
  .option('--db <pathOrUrl>', 'SQLite file or postgres:// URL', DEFAULT_DB)
  .option('--fanout <n>', 'customers per reseller', positive, 20)
  .action(async (o: { orgs: number; db: string; fanout: number }) => {
    const deps = createDeps({ db: o.db })
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
