import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { DomainError } from '../../core/errors.js'
import { mapUnique } from '../../store/store.js'
import {
  capacityUnitTypeInUse,
  deleteCapacityUnitTypeRow,
  findCapacityUnitTypeCode,
  insertCapacityUnitType,
  listCapacityUnitTypeRows,
} from '../../store/capacity.repo.js'
import { requireCatalogWriter } from '../catalog/catalog-access.js'
import { UnitTypeCode, type CapacityUnitType } from './schema.js'

/** Lists the capacity unit types (seed 000's `capacityplanning.listCapacityUnitTypes`), by code. Everyone may read. */
export const listCapacityUnitTypes = defineOp({
  name: 'capacity_unit_type.list',
  input: Type.Object({}, { additionalProperties: false }),
  async run(ctx): Promise<CapacityUnitType[]> {
    return listCapacityUnitTypeRows(ctx.store.db)
  },
})

/** Adds a capacity unit type (codes are kept upper case). Master organisation with `catalog.write` only; a code taken is `already_exists`. */
export const createCapacityUnitType = defineOp({
  name: 'capacity_unit_type.create',
  input: Type.Object({ code: UnitTypeCode, description: Type.Optional(Type.String({ maxLength: 2000 })) }, { additionalProperties: false }),
  async run(ctx, input): Promise<CapacityUnitType> {
    requireCatalogWriter(ctx)
    const row = { code: input.code.toUpperCase(), description: input.description ?? '' }
    await ctx.store.write((trx) =>
      mapUnique(
        () => insertCapacityUnitType(trx, { ...row, created_at: new Date(ctx.clock()).toISOString() }),
        () => `capacity unit type ${row.code} already exists`,
      ),
    )
    return row
  },
})

/** Removes a capacity unit type no capacity entry uses (`failed_precondition` otherwise). Master organisation with `catalog.write` only. */
export const deleteCapacityUnitType = defineOp({
  name: 'capacity_unit_type.delete',
  input: Type.Object({ code: UnitTypeCode }, { additionalProperties: false }),
  async run(ctx, input): Promise<void> {
    requireCatalogWriter(ctx)
    const code = input.code.toUpperCase()
    await ctx.store.write(async (trx) => {
      const t = await findCapacityUnitTypeCode(trx, ctx.store.dialect, code, 'update')
      if (t === undefined) throw new DomainError('not_found', `capacity unit type ${code} not found`)
      if (await capacityUnitTypeInUse(trx, code)) throw new DomainError('failed_precondition', `capacity unit type ${code} is in use by capacity entries; remove them first`)
      await deleteCapacityUnitTypeRow(trx, code)
    })
  },
})
