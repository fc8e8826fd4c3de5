import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { DomainError } from '../../core/errors.js'
import { deleteRegistrarRow, findRegistrarRow, registrarInUse } from '../../store/domains.repo.js'
import { requireCatalogWriter } from '../catalog/catalog-access.js'
import { BUILT_IN_REGISTRAR } from '../../registrars/index.js'
import { RegistrarName } from './schema.js'

/**
 * Deletes a registrar no domain uses (`failed_precondition` otherwise: its domains would have
 * no registrar to be unregistered with). Master organisation with `catalog.write` only; the
 * built-in `local` registrar is never deleted.
 */
export const deleteRegistrar = defineOp({
  name: 'registrar.delete',
  input: Type.Object({ name: RegistrarName }, { additionalProperties: false }),
  async run(ctx, input): Promise<void> {
    requireCatalogWriter(ctx)
    if (input.name === BUILT_IN_REGISTRAR) throw new DomainError('failed_precondition', `${BUILT_IN_REGISTRAR} is the built-in registrar; it cannot be deleted`)
    ctx.request?.noteTarget(ctx.actor.orgPath, `registrar:${input.name}`)
    await ctx.store.write(async (trx) => {
      // Locked: a reservation share-locks the registrars, so none lands on this one unseen.
      const row = await findRegistrarRow(trx, ctx.store.dialect, input.name, 'update')
      if (!row) throw new DomainError('not_found', `registrar ${input.name} not found`)
      if (await registrarInUse(trx, input.name)) throw new DomainError('failed_precondition', `registrar ${input.name} holds domains; unregister them first`)
      await deleteRegistrarRow(trx, input.name)
    })
  },
})
