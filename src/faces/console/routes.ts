/**
 * The web console, served by `clientele serve` itself: `GET /` answers the single page
 * (`dist/index.html`), `/console/assets/*` its bundle (@fastify/static; hashed names, cached for
 * a year). The page and its files are public (they hold nothing but code); everything they
 * show comes from the REST API with the session cookie. When the bundle was never built (a
 * checkout without `npm ci`), `/` says how to build it.
 */
import type { FastifyInstance } from 'fastify'
import fastifyStatic from '@fastify/static'
import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

export const CONSOLE_DIST = fileURLToPath(new URL('./dist', import.meta.url))

/** Security headers of the page: its own scripts only, never framed. */
const PAGE_HEADERS = {
  'content-security-policy': "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'cache-control': 'no-cache',
}

export function consoleRoutes(app: FastifyInstance): void {
  const index = `${CONSOLE_DIST}/index.html`
  const built = existsSync(index)
  const page = built ? readFileSync(index) : undefined
  app.get('/', { config: { public: true }, schema: { hide: true } }, async (_req, reply) => {
    if (!page) return reply.code(503).type('text/plain; charset=utf-8').send('The console is not built: run `npm run build:console` (npm ci runs it).')
    return reply.headers(PAGE_HEADERS).type('text/html; charset=utf-8').send(page)
  })
  if (!built) return
  app.register(fastifyStatic, {
    root: `${CONSOLE_DIST}/assets`,
    prefix: '/console/assets/',
    decorateReply: false,
    index: false,
    immutable: true,
    maxAge: '365d',
    schemaHide: true,
  })
}
