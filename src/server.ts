/**
 * Builds the Fastify application: the store's dependencies, authentication, every face, the
 * OpenAPI document. `createDeps` opens the store; `buildApp` serves it.
 */
import Fastify, { LogController, type FastifyInstance, type RouteOptions } from 'fastify'
import cookie from '@fastify/cookie'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import pino from 'pino'
import { openStore, type StoreOptions } from './store/store.js'
import type { Deps, Logger } from './ops/context.js'
import { createAuthenticator } from './auth/authenticator.js'
import { runHousekeeping } from './ops/housekeeping.js'
import { sweepApprovals } from './ops/approvals/sweep-approvals.js'
import { sealDriverSecrets } from './ops/catalog/seal-driver-secrets.js'
import { resealRegistrarSecrets } from './ops/domains/reseal-registrar-secrets.js'
import { resealOrgSecrets } from './ops/orgs/reseal-org-secrets.js'
import { loadSecretKeyring } from './secret-key.js'
import { clientErrorHandler, frameworkErrors, installAuth, loggableUrl, installBodyParsers, installErrorHandler, installIdempotency, installJobGuid, installValidators } from './faces/http.js'
import { ProblemWire } from './faces/rest/wire.js'
import { orgsRoutes } from './faces/rest/orgs.routes.js'
import { membersRoutes } from './faces/rest/members.routes.js'
import { authRoutes } from './faces/rest/auth.routes.js'
import { recoveryRoutes } from './faces/rest/recovery.routes.js'
import { jobsRoutes } from './faces/rest/jobs.routes.js'
import { registerFaces } from './faces/index.js'
import { thriftRoutes } from './faces/thrift/routes.js'
import { startThriftTcp, type ThriftTcp, type ThriftTcpOptions } from './faces/thrift/tcp.js'
import { DEFAULT_LIMITS as THRIFT_LIMITS, type ThriftLimits } from './faces/thrift/protocol.js'
import { createJobBell } from './jobs/bell.js'
import { startWorker, type WorkerOptions } from './jobs/worker.js'
import { DEFAULT_MAIL_SETTINGS, type MailSettings } from './core/mail.js'

export interface DepsOptions extends StoreOptions {
  /** SQLite path or `postgres://` URL. */
  db: string
  logger?: Logger
  clock?: () => number
  /** The secret key file (`--secret-key-file`); see secret-key.ts for where the key comes from otherwise. */
  secretKeyFile?: string
  /** How mail is sent (`--smtp-url`, `--mail-from`, `--public-url`); without `smtpUrl` messages stay in the outbox. */
  mail?: Partial<MailSettings>
}

/**
 * Opens the store, loads the secret key, and builds the dependencies shared by every call. The
 * store's `migrate()` also seals driver secrets left in clear (see sealDriverSecrets) and
 * re-seals registrar secrets and organisations' Slack webhook URLs under the newest key (see
 * resealRegistrarSecrets, resealOrgSecrets).
 */
export function createDeps(opts: DepsOptions): Deps {
  const log = opts.logger ?? pino({ level: process.env.LOG_LEVEL ?? 'info' })
  const secrets = loadSecretKeyring({ db: opts.db, ...(opts.secretKeyFile !== undefined ? { file: opts.secretKeyFile } : {}) })
  const store = openStore(opts.db, opts)
  const deps: Deps = {
    store: {
      ...store,
      async migrate() {
        const r = await store.migrate()
        await sealDriverSecrets(deps)
        await resealRegistrarSecrets(deps)
        await resealOrgSecrets(deps)
        return r
      },
    },
    clock: opts.clock ?? Date.now,
    log,
    secrets,
    jobs: createJobBell(),
    mail: mailSettings(opts.mail),
  }
  return deps
}

/**
 * The mail settings from options, else from `CLIENTELE_SMTP_URL`, `CLIENTELE_MAIL_FROM` and
 * `CLIENTELE_PUBLIC_URL`. Throws on an SMTP URL that is not `smtp://` or `smtps://` (without
 * repeating it: it may hold a password).
 */
export function mailSettings(given: Partial<MailSettings> = {}): MailSettings {
  const smtpUrl = given.smtpUrl ?? (process.env.CLIENTELE_SMTP_URL || undefined)
  if (smtpUrl !== undefined && !/^smtps?:\/\/[^\s]+$/.test(smtpUrl)) throw new Error('the SMTP URL must start with smtp:// or smtps://')
  return {
    ...(smtpUrl !== undefined ? { smtpUrl } : {}),
    from: given.from ?? (process.env.CLIENTELE_MAIL_FROM || DEFAULT_MAIL_SETTINGS.from),
    publicUrl: (given.publicUrl ?? (process.env.CLIENTELE_PUBLIC_URL || DEFAULT_MAIL_SETTINGS.publicUrl)).replace(/\/+$/, ''),
  }
}

export interface AppOptions {
  /** Largest accepted request body, bytes (default 1 MiB). */
  bodyLimit?: number
  /** Log every request (off by default: it costs throughput; errors are always logged). */
  logRequests?: boolean
  /** Trust X-Forwarded-For from a proxy (key ACLs then see the client's address). */
  trustProxy?: boolean | string
  /** Mark the session cookie Secure. */
  secureCookies?: boolean
  logLevel?: string
  /** Run a job worker in this process (default on), with these options; `false` runs none. */
  worker?: WorkerOptions | false
  /** Where the HTTP log goes (default: stdout); tests capture it to prove no secret reaches it. */
  logStream?: { write(line: string): void }
  /** Serve seed 001's Thrift service on a framed TCP port too (`--thrift-port`); port 0 picks one. */
  thriftTcp?: ThriftTcpOptions
  /** The Thrift face's bounds (frame, string and container sizes), over HTTP and TCP. */
  thriftLimits?: ThriftLimits
  /** Told of every route as it is registered (tests build their matrix from the route table). */
  onRoute?: (route: RouteOptions) => void
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The Thrift TCP port's server, when `thriftTcp` was given. */
    thriftTcp: ThriftTcp | null
  }
}

const VERSION = '0.1.0'

/** Builds the HTTP application on `deps`. */
export async function buildApp(deps: Deps, opts: AppOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: {
      level: opts.logLevel ?? process.env.LOG_LEVEL ?? 'info',
      ...(opts.logStream ? { stream: opts.logStream } : {}),
      redact: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'],
      // Fastify's own fields, with the URL's secrets (a login link's `otp`) left out.
      serializers: {
        req: (req: { method: string; url: string; host?: string; ip?: string; socket?: { remotePort?: number } }) => ({
          method: req.method,
          url: loggableUrl(req.url),
          host: req.host,
          remoteAddress: req.ip,
          remotePort: req.socket?.remotePort,
        }),
      },
    },
    logController: new LogController({ disableRequestLogging: !opts.logRequests }),
    bodyLimit: opts.bodyLimit ?? 1024 * 1024,
    clientErrorHandler,
    frameworkErrors,
    trustProxy: opts.trustProxy ?? false,
    ajv: { customOptions: { removeAdditional: false } },
  })
  if (opts.onRoute) app.addHook('onRoute', opts.onRoute)
  installValidators(app)
  installBodyParsers(app)
  installErrorHandler(app)
  await app.register(cookie)
  app.addSchema(ProblemWire)
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Clientele',
        version: VERSION,
        description:
          'Customer control plane. Errors are application/problem+json (RFC 9457) with a stable `code`. ' +
          'Request bodies are validated strictly: unknown fields are rejected with 400. Every POST honours Idempotency-Key.',
      },
      components: {
        securitySchemes: {
          basicAuth: { type: 'http', scheme: 'basic' },
          bearerAuth: { type: 'http', scheme: 'bearer', description: 'An API key (`clt_…`)' },
          sessionCookie: { type: 'apiKey', in: 'cookie', name: 'id0' },
        },
      },
      security: [{ basicAuth: [] }, { bearerAuth: [] }, { sessionCookie: [] }],
    },
    // Shared schemas keep their $id as their component name (Problem, CustomerService, …).
    refResolver: { buildLocalReference: (json, _base, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
  })
  await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { docExpansion: 'list' } })

  const auth = createAuthenticator(deps)
  installAuth(app, auth)
  installIdempotency(app, deps)
  installJobGuid(app)

  app.get('/healthz', { config: { public: true }, schema: { hide: true } }, async () => ({ status: 'ok' }))
  app.get('/readyz', { config: { public: true }, schema: { hide: true } }, async (_req, reply) => {
    try {
      await deps.store.ping()
      return { status: 'ready' }
    } catch {
      return reply.code(503).send({ status: 'database unavailable' })
    }
  })
  app.get('/openapi.json', { config: { public: true }, schema: { hide: true } }, async () => app.swagger())

  orgsRoutes(app, deps)
  membersRoutes(app, deps)
  authRoutes(app, deps, auth, { secure: !!opts.secureCookies })
  recoveryRoutes(app, deps)
  jobsRoutes(app, deps)
  registerFaces(app, deps)
  const thriftLimits = opts.thriftLimits ?? THRIFT_LIMITS
  thriftRoutes(app, deps, thriftLimits)
  app.decorate('thriftTcp', null)
  if (opts.thriftTcp) {
    const tcp = await startThriftTcp(deps, auth, { limits: thriftLimits, ...opts.thriftTcp })
    app.thriftTcp = tcp
    app.addHook('onClose', () => tcp.close())
  }

  // Hourly housekeeping: idempotency answers past retention, spent throttle counters.
  const purge = setInterval(() => {
    runHousekeeping(deps).catch((err) => app.log.warn({ err }, 'housekeeping failed'))
  }, 3600_000)
  purge.unref()
  app.addHook('onClose', async () => clearInterval(purge))
  // Every minute: approvals past their timeout fail, reminders are logged (ops/approvals/).
  const sweep = setInterval(() => {
    sweepApprovals(deps).catch((err) => app.log.warn({ err }, 'approval sweep failed'))
  }, 60_000)
  sweep.unref()
  app.addHook('onClose', async () => clearInterval(sweep))

  if (opts.worker !== false) {
    const worker = startWorker(deps, opts.worker ?? {})
    // Stopped before the store closes: running jobs finish or give their leases back.
    app.addHook('onClose', async () => worker.stop())
  }
  return app
}
