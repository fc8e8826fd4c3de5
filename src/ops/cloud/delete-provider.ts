import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { DomainError } from '../../core/errors.js'
import { countLiveAccountsOfProvider, deleteDeadAccountsOfProvider, deleteProviderRow } from '../../store/cloud.repo.js'
import { getProviderRow, requireCatalogWriter } from './cloud-access.js'

/**
 * Removes a cloud provider from the catalogue, with every allowance of it.
 *
 * Only an actor acting for the master organisation with `catalog.write` may (`forbidden`
 * otherwise). A provider that live organisations still hold cloud accounts on is refused
 * (`failed_precondition`): delete those accounts first.
 */
export const deleteProvider = defineOp({
  name: 'cloud_provider.delete',
  input: Type.Object({ providerId: Type.String() }, { additionalProperties: false }),
  async run(ctx, input): Promise<void> {
    requireCatalogWriter(ctx)
    await ctx.store.write(async (trx) => {
      // Locked first: an allowance or account being created concurrently waits, then finds no provider.
      const p = await getProviderRow(ctx, trx, input.providerId, 'update')
      const accounts = await countLiveAccountsOfProvider(trx, p.id)
      if (accounts > 0) {
        throw new DomainError('failed_precondition', `cloud provider ${p.name} still has ${accounts} cloud account(s); delete them first`)
      }
      await deleteDeadAccountsOfProvider(trx, p.id)
      await deleteProviderRow(trx, p.id)
    })
  },
})
