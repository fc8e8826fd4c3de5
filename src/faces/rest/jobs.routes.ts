/** Requests and jobs: `GET /jobs/{guid-or-id}`, `GET /jobs` (recent, or `?parent=…`), `GET /jobs/{id}/log`. */
import type { FastifyInstance } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type, type Static } from 'typebox'
import type { Deps } from '../../ops/context.js'
import { getRequest } from '../../ops/requests/get-request.js'
import { listRequests } from '../../ops/requests/list-requests.js'
import type { SeenRequest } from '../../ops/requests/seen-by.js'
import { ctxOf } from '../http.js'
import { acceptCallback } from '../../ops/provisioning/accept-callback.js'
import { SIGNATURE_HEADER, TIMESTAMP_HEADER } from '../../jobs/signing.js'
import { errorResponses } from './openapi.js'
import { REQUEST_STATUSES } from '../../core/requests.js'

const LogEntry = Type.Object({ at: Type.String(), level: Type.Enum(['info', 'warn', 'error'] as const), message: Type.String() })
const Times = Type.Object({
  receivedAt: Type.String(),
  startedAt: Type.Union([Type.String(), Type.Null()]),
  finishedAt: Type.Union([Type.String(), Type.Null()]),
  stages: Type.Record(Type.String(), Type.Object({ startedAt: Type.Optional(Type.String()), finishedAt: Type.Optional(Type.String()) })),
})
export const JobWire = Type.Object({
  id: Type.Integer(),
  guid: Type.String(),
  parentId: Type.Union([Type.Integer(), Type.Null()]),
  operation: Type.String({ description: 'The operation\'s one name on every face, e.g. customer.create' }),
  target: Type.String({ description: 'What it acted on, e.g. org:<id>' }),
  status: Type.Enum(REQUEST_STATUSES, { description: '`pending` while an approval waits (approvalPending), then queued → running → succeeded | failed' }),
  approvalPending: Type.Boolean({ description: 'True while the request waits for its approvers (GET /approvals/{guid}); a rejection or a timeout fails it' }),
  actor: Type.Object(
    {
      userId: Type.Union([Type.String(), Type.Null()]),
      orgId: Type.Union([Type.String(), Type.Null()]),
      organisation: Type.String({ description: 'The acting organisation\'s name; `provider` (and null ids) when it acted from above the caller\'s organisation' }),
      via: Type.String(),
    },
    { description: 'Who made the request, as the caller may see it' },
  ),
  error: Type.Union([Type.String(), Type.Null()], {
    description:
      "Why it failed: the caller's `userErrormsg` (X-Execution-Params) when it gave one, also for a job that fails later on a worker; " +
      "else the failure's own message. The log keeps the failure's own message in every case.",
  }),
  maxDurationMs: Type.Union([Type.Integer(), Type.Null()]),
  times: Times,
  log: Type.Array(LogEntry),
})

function toWire(r: SeenRequest): Static<typeof JobWire> {
  return {
    id: r.id,
    guid: r.guid,
    parentId: r.parentId,
    operation: r.operation,
    target: r.target,
    status: r.status,
    approvalPending: r.approvalPending,
    actor: { userId: r.actorUserId, orgId: r.actorOrgId, organisation: r.actorOrgName, via: r.via },
    error: r.error,
    maxDurationMs: r.maxDurationMs,
    times: { receivedAt: r.receivedAt, startedAt: r.startedAt, finishedAt: r.finishedAt, stages: r.stages },
    log: r.log,
  }
}

const Ref = Type.Object({ ref: Type.String({ maxLength: 64 }) })

export function jobsRoutes(app: FastifyInstance, deps: Deps): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>()

  r.get(
    '/jobs/:ref',
    { schema: { tags: ['jobs'], summary: 'One request (by guid or id): status, log, times', params: Ref, response: { 200: JobWire, ...errorResponses(401, 404) } } },
    async (req) => toWire(await getRequest(ctxOf(deps, req), { ref: req.params.ref })),
  )

  r.get(
    '/jobs/:ref/log',
    { schema: { tags: ['jobs'], summary: "A request's log", params: Ref, response: { 200: Type.Object({ items: Type.Array(LogEntry) }), ...errorResponses(401, 404) } } },
    async (req) => ({ items: (await getRequest(ctxOf(deps, req), { ref: req.params.ref })).log }),
  )

  // The callback of a provisioning endpoint: public, authenticated only by its signature over
  // the body exactly as sent, so this route keeps the body as text.
  app.register(async (sub) => {
    sub.removeContentTypeParser('application/json')
    sub.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => done(null, body))
    sub.withTypeProvider<TypeBoxTypeProvider>().post(
      '/jobs/:ref/callback',
      {
        config: { public: true },
        schema: {
          tags: ['jobs'],
          summary: 'Report the end of a job whose endpoint answered 202',
          description:
            'Body `{"status": "succeeded"|"failed", "result"?: any, "error"?: string}`, signed like the delivery: ' +
            '`X-Clientele-Timestamp` (Unix seconds, within 5 minutes) and `X-Clientele-Signature: sha256=<hex HMAC-SHA256 of timestamp + "." + body>` ' +
            "with the service's webhook secret. A forged or stale callback is refused with 401 and changes nothing.",
          security: [],
          params: Ref,
          response: { 200: Type.Object({ status: Type.String() }), ...errorResponses(400, 401, 409) },
        },
      },
      async (req) =>
        acceptCallback(deps, {
          jobGuid: req.params.ref,
          timestamp: header(req.headers[TIMESTAMP_HEADER]),
          signature: header(req.headers[SIGNATURE_HEADER]),
          body: typeof req.body === 'string' ? req.body : '',
        }),
    )
  })

  r.get(
    '/jobs',
    {
      schema: {
        tags: ['jobs'],
        summary: "A request's children (with `parent`, oldest first), or the recent requests the caller may see (newest first)",
        description:
          'Requests concerning the caller\'s organisation and its customers only. Without `parent`: newest first, ' +
          'narrowed by `status`, `operation` (e.g. customer.create) and `orgId` (that organisation and its customers).',
        querystring: Type.Object(
          {
            parent: Type.Optional(Type.String({ maxLength: 64, description: 'A request (guid or id): answer its children' })),
            status: Type.Optional(Type.Enum(REQUEST_STATUSES)),
            operation: Type.Optional(Type.String({ maxLength: 100 })),
            orgId: Type.Optional(Type.String({ maxLength: 64 })),
            offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 2147483647 })),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ items: Type.Array(JobWire) }), ...errorResponses(400, 401, 404) },
      },
    },
    async (req) => ({ items: (await listRequests(ctxOf(deps, req), req.query)).items.map(toWire) }),
  )
}

function header(v: string | string[] | undefined): string | undefined {
  return typeof v === 'string' ? v : undefined
}
