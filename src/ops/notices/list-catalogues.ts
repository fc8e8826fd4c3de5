import { Type } from 'typebox'
import { defineOp } from '../context.js'
import type { CatalogueEntry } from '../../core/notices.js'
import { listContactMethodCatalogue, listNoticeTypes } from '../../store/notices.repo.js'

/** The notice types (seed 001's listContactNoticeTypes). Any authenticated actor. */
export const listContactNoticeTypes = defineOp({
  name: 'contactNoticeType.list',
  input: Type.Object({}, { additionalProperties: false }),
  async run(ctx): Promise<CatalogueEntry[]> {
    return listNoticeTypes(ctx.store.db)
  },
})

/** The contact method catalogue: email, sms, webhook (seed 001's listContactMethods). Any authenticated actor. */
export const listContactMethods = defineOp({
  name: 'contactMethod.list',
  input: Type.Object({}, { additionalProperties: false }),
  async run(ctx): Promise<CatalogueEntry[]> {
    return listContactMethodCatalogue(ctx.store.db)
  },
})
