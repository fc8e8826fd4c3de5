import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { requireCatalogWriter } from '../catalog/catalog-access.js'
import { CatalogName } from '../catalog/schema.js'
import { enqueueProvisioning } from './enqueue-provisioning.js'

/**
 * Records a request that provisions (or deprovisions) a test subject through a service's
 * driver, and queues its job; answers the job's and the request's guids. For operators and
 * tests of a driver's settings.
 *
 * Only an actor acting for the master organisation with `catalog.write` may (`forbidden`
 * otherwise); an unknown service is `not_found`.
 */
export const testProvision = defineOp({
  name: 'service.test-provision',
  input: Type.Object(
    {
      service: CatalogName,
      action: Type.Optional(Type.Union([Type.Literal('provision'), Type.Literal('deprovision')])),
      subject: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
      payload: Type.Optional(Type.Record(Type.String({ maxLength: 200 }), Type.Unknown(), { propertyNames: { maxLength: 200 } })),
    },
    { additionalProperties: false },
  ),
  async run(ctx, input): Promise<{ jobGuid: string; requestGuid: string }> {
    requireCatalogWriter(ctx)
    ctx.request?.noteTarget(ctx.actor.orgPath, `service:${input.service}`)
    return ctx.store.write((trx) =>
      enqueueProvisioning(ctx, trx, {
        serviceName: input.service,
        subject: input.subject ?? 'test',
        action: input.action ?? 'provision',
        payload: input.payload ?? {},
      }),
    )
  },
})
