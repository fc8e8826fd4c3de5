/**
 * Billable bandwidth on the native REST face (seed 001's `currentBillableBandwidth`):
 *
 *   POST /orgs/{org_id}/bandwidth/samples              report a customer's 5-minute samples
 *   GET  /orgs/{org_id}/bandwidth/billable?period=YYYY-MM   the billable figure of a month
 */
import type { FastifyInstance } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { Deps } from '../../ops/context.js'
import { ctxOf } from '../http.js'
import { errorResponses, STRICT } from './openapi.js'
import { importBandwidth } from '../../ops/bandwidth/import-bandwidth.js'
import { getBillableBandwidth } from '../../ops/bandwidth/get-billable-bandwidth.js'
import { SamplesInput } from '../../ops/bandwidth/samples.js'
import { BANDWIDTH_RULES } from '../../core/bandwidth.js'

const Id = Type.String({ maxLength: 64 })
/** 10,000 samples of ~80 bytes each fit with room to spare. */
const BODY_LIMIT = 2 * 1024 * 1024

const ImportWire = Type.Object({
  orgId: Type.String(),
  received: Type.Integer(),
  inserted: Type.Integer({ description: 'Samples for slots that had none' }),
  replaced: Type.Integer({ description: 'Samples that replaced the stored sample of their slot' }),
})
const BillableWire = Type.Object({
  orgId: Type.String(),
  rule: Type.Enum(BANDWIDTH_RULES),
  period: Type.String({ description: 'YYYY-MM' }),
  periodStart: Type.String({ description: 'The first instant of the month, UTC' }),
  periodEnd: Type.String({ description: 'The first instant after it' }),
  samples: Type.Integer({ description: '5-minute samples in the period' }),
  billableBitsPerSecond: Type.Optional(Type.Number({ description: 'The figure under p95, max and average' })),
  billableBytes: Type.Optional(Type.Number({ description: 'The figure under total' })),
  subscriptionId: Type.Optional(Type.Integer({ description: 'The subscription whose plan named the rule; absent: the default' })),
  planId: Type.Optional(Type.Integer()),
})

export function bandwidthRoutes(app: FastifyInstance, deps: Deps): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>()

  r.post(
    '/orgs/:org_id/bandwidth/samples',
    {
      bodyLimit: BODY_LIMIT,
      schema: {
        tags: ['bandwidth'],
        summary: "Report a customer's traffic as 5-minute samples",
        description:
          'Each sample is the average bits per second in and out over the 5-minute slot (UTC, aligned to the epoch) its `at` falls in; at most 10,000 per call, in one transaction. ' +
          'Two samples for one slot in a call are refused; a sample for a slot already stored replaces it. A bad sample (negative, not an integer, past 1 Tbit/s, `at` not ISO 8601, before 2000 or more than 5 minutes ahead) answers 400 naming it (`field` `samples.N.at`), and nothing is written. ' +
          "Only the customer's ancestors may report (the master organisation, or a reseller for its subtree), with org.write.",
        params: Type.Object({ org_id: Id }),
        body: Type.Object({ samples: SamplesInput }, STRICT),
        response: { 200: ImportWire, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (req) => importBandwidth(ctxOf(deps, req), { orgId: req.params.org_id, samples: req.body.samples }),
  )

  r.get(
    '/orgs/:org_id/bandwidth/billable',
    {
      schema: {
        tags: ['bandwidth'],
        summary: "A customer's billable bandwidth for a month (seed 001's `currentBillableBandwidth`)",
        description:
          "By the rule of the plan of the customer's oldest active subscription whose plan names one (`bandwidthBillingRule`), else p95: " +
          'p95 sorts the period\'s samples (each max(in, out)), drops the top 5 % and takes the highest remaining; max the highest; average the mean of the samples present; total the bytes moved both ways (Σ (in + out) × 300 / 8). ' +
          'The current month (UTC) unless `period` is given.',
        params: Type.Object({ org_id: Id }),
        querystring: Type.Object({ period: Type.Optional(Type.String({ maxLength: 7, description: 'YYYY-MM' })) }, STRICT),
        response: { 200: BillableWire, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (req) => getBillableBandwidth(ctxOf(deps, req), { orgId: req.params.org_id, ...(req.query.period !== undefined ? { period: req.query.period } : {}) }),
  )
}
