/**
 * The ceiling: a bare Fastify 5 application with one JSON route, configured like Clientele's
 * (a pino logger at `info`, request logging off, the same body limit), and nothing else: no
 * authentication, no database, no plugins. Run as a child process by bench/run.ts:
 * `node bin/run-ts.js bench/bare-server.ts --port P`.
 */
import Fastify, { LogController } from 'fastify'

const i = process.argv.indexOf('--port')
const port = i > 0 ? Number(process.argv[i + 1]) : 0

const app = Fastify({
  logger: { level: process.env.LOG_LEVEL ?? 'info' },
  logController: new LogController({ disableRequestLogging: true }),
  bodyLimit: 1024 * 1024,
})

// About the size of one organisation's JSON, so the ceiling serialises a comparable body.
const body = {
  id: '0b7c5e0e-3f8a-4c55-9d1e-6d0f4b7a2c11',
  number: 42,
  code: 'BARE',
  name: 'Bare Fastify Route',
  status: 'active',
  isReseller: false,
}

app.get('/healthz', async () => ({ status: 'ok' }))
app.get('/bare', async () => body)

const close = async () => {
  await app.close()
  process.exit(0)
}
process.once('SIGINT', close)
process.once('SIGTERM', close)
await app.listen({ host: '127.0.0.1', port })
