/**
 * Seed 003's password recovery (`/login/password-recovery`) and the mail outbox
 * (`GET /mail/outbox`). The recovery routes are public: the mailed secret is the credential.
 */
import type { FastifyInstance, FastifyReply } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { Deps } from '../../ops/context.js'
import { finishPasswordRecovery, startPasswordRecovery, validatePasswordRecovery } from '../../ops/auth/password-recovery.js'
import { listOutbox } from '../../ops/mail/list-outbox.js'
import { ctxOf } from '../http.js'
import { errorResponses } from './openapi.js'

const SecretQuery = Type.Object({ secret: Type.String({ maxLength: 64, description: 'The secret the recovery mail links to' }) }, { additionalProperties: false })

const OutboxEntryWire = Type.Object({
  id: Type.Integer(),
  to: Type.String(),
  subject: Type.String(),
  state: Type.Enum(['held', 'queued', 'sent', 'failed'] as const),
  attempts: Type.Integer(),
  lastError: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String(),
  sentAt: Type.Union([Type.String(), Type.Null()]),
  failedAt: Type.Union([Type.String(), Type.Null()]),
})

/** Answers 200 with no content, as seed 003's document gives these operations. */
function emptyOk(reply: FastifyReply): void {
  reply.code(200).send()
}

export function recoveryRoutes(app: FastifyInstance, deps: Deps): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>()

  r.put(
    '/login/password-recovery',
    {
      config: { public: true },
      schema: {
        tags: ['auth'],
        summary: "Seed 003's startPasswordRecovery: mails a recovery link when a live login has this address; always answers 200, known address or not",
        querystring: Type.Object({ realmId: Type.Optional(Type.String({ maxLength: 64 })) }, { additionalProperties: false }),
        body: Type.Object({ email: Type.String({ minLength: 1, maxLength: 254 }) }, { additionalProperties: false }),
        response: { 200: Type.Null(), ...errorResponses(400, 429) },
      },
    },
    async (req, reply) => {
      await startPasswordRecovery(deps, { email: req.body.email, realmId: req.query.realmId, ip: req.ip })
      emptyOk(reply)
    },
  )

  r.post(
    '/login/password-recovery/validate',
    {
      config: { public: true },
      schema: {
        tags: ['auth'],
        summary: "Seed 003's validatePasswordRecovery: whether a recovery link still works, with the login's address obfuscated",
        querystring: SecretQuery,
        response: { 200: Type.Object({ obfuscatedEmail: Type.String() }), ...errorResponses(400) },
      },
    },
    async (req) => validatePasswordRecovery(deps, { secret: req.query.secret }),
  )

  r.post(
    '/login/password-recovery',
    {
      config: { public: true },
      schema: {
        tags: ['auth'],
        summary: "Seed 003's finishPasswordRecovery: sets the new password; the link then stops working, and every session of the login ends",
        querystring: SecretQuery,
        body: Type.Object({ newPassword: Type.String({ maxLength: 1024 }) }, { additionalProperties: false }),
        response: { 200: Type.Null(), ...errorResponses(400) },
      },
    },
    async (req, reply) => {
      await finishPasswordRecovery(deps, { secret: req.query.secret, newPassword: req.body.newPassword })
      emptyOk(reply)
    },
  )

  r.get(
    '/mail/outbox',
    {
      schema: {
        tags: ['mail'],
        summary: "The mail outbox, newest first: recipient, subject, state, times (never a body). The master organisation's admins only",
        querystring: listOutbox.input,
        response: { 200: Type.Object({ items: Type.Array(OutboxEntryWire), total: Type.Integer() }), ...errorResponses(400, 401, 404) },
      },
    },
    async (req) => listOutbox(ctxOf(deps, req), req.query),
  )
}
