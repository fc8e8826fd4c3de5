import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { isCatalogWriter } from '../catalog/catalog-access.js'
import { listRegistrarRows } from '../../store/domains.repo.js'
import { builtInRegistrar, toRegistrar } from './registrars.js'
import type { Registrar } from './schema.js'

/**
 * The registrars, by name, with the built-in `local` among them (the default while no stored
 * registrar is). Everyone may read them; their settings (url, timeout) are shown only to those
 * who may change them (the master organisation's catalogue writers), their secrets to nobody.
 */
export const listRegistrars = defineOp({
  name: 'registrar.list',
  input: Type.Object({}, { additionalProperties: false }),
  async run(ctx): Promise<Registrar[]> {
    const rows = await listRegistrarRows(ctx.store.db, ctx.store.dialect)
    const show = isCatalogWriter(ctx)
    const out = rows.map((r) => toRegistrar(r, show))
    out.push(builtInRegistrar(!rows.some((r) => r.is_default === 1)))
    return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  },
})
