import { Type } from 'typebox'
import { defineOp } from '../context.js'
import { DomainError } from '../../core/errors.js'
import { isSealed, type Keyring } from '../../core/sealed.js'
import { mapUnique, nowIso } from '../../store/store.js'
import { clearDefaultRegistrar, findRegistrarRow, listRegistrarRows, upsertRegistrarRow, type RegistrarRow } from '../../store/domains.repo.js'
import { requireCatalogWriter } from '../catalog/catalog-access.js'
import { BUILT_IN_REGISTRAR, DEFAULT_REGISTRAR_TIMEOUT_S, MAX_REGISTRAR_TIMEOUT_S, registrarConfigAad } from '../../registrars/index.js'
import { normalizeTld } from './domain-name.js'
import { toRegistrar, tldsOf } from './registrars.js'
import { RegistrarName, type Registrar } from './schema.js'

const KeepSecret = Type.Object({ set: Type.Literal(true) }, { additionalProperties: false })

/**
 * Creates a registrar or replaces all of its settings (a PUT): its `driver` (`local` or
 * `webhook`), for a webhook its `url`, signing `secret` and `timeoutSeconds` (default 10, at
 * most 120), the `tlds` it is chosen for, and whether it is the default (taking the TLDs no
 * registrar lists; making one the default unmarks the previous one).
 *
 * Master organisation with `catalog.write` only. The secret is sealed at rest and never shown
 * again; left out, or given as `{"set": true}`, it keeps the stored one. A TLD another
 * registrar lists is `failed_precondition`; `local` is the built-in registrar's name.
 */
export const putRegistrar = defineOp({
  name: 'registrar.put',
  input: Type.Object(
    {
      name: RegistrarName,
      driver: Type.Union([Type.Literal('local'), Type.Literal('webhook')]),
      url: Type.Optional(Type.String({ minLength: 1, maxLength: 2000 })),
      secret: Type.Optional(Type.Union([Type.String({ minLength: 8, maxLength: 1000 }), KeepSecret])),
      timeoutSeconds: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: MAX_REGISTRAR_TIMEOUT_S })),
      tlds: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 500 })),
      isDefault: Type.Optional(Type.Boolean()),
    },
    { additionalProperties: false },
  ),
  async run(ctx, input): Promise<{ registrar: Registrar; created: boolean }> {
    requireCatalogWriter(ctx)
    if (input.name === BUILT_IN_REGISTRAR) {
      throw new DomainError('invalid_argument', `${BUILT_IN_REGISTRAR} is the built-in registrar; give yours another name`, { field: 'name' })
    }
    ctx.request?.noteTarget(ctx.actor.orgPath, `registrar:${input.name}`)
    const webhook = input.driver === 'webhook'
    if (!webhook) {
      for (const f of ['url', 'secret', 'timeoutSeconds'] as const) {
        if (input[f] !== undefined) throw new DomainError('invalid_argument', `${f} is a setting of the webhook driver only`, { field: f })
      }
    } else if (input.url === undefined) {
      throw new DomainError('invalid_argument', 'url is required for a webhook registrar', { field: 'url' })
    } else {
      checkUrl(input.url)
    }
    const tlds = [...new Set((input.tlds ?? []).map((t, i) => normalizeTld(t, `tlds.${i}`)))]
    return ctx.store.write(async (trx) => {
      const stored = await findRegistrarRow(trx, ctx.store.dialect, input.name, 'update')
      const config: Record<string, unknown> = {}
      if (webhook) {
        config.url = input.url
        config.timeoutSeconds = input.timeoutSeconds ?? DEFAULT_REGISTRAR_TIMEOUT_S
        config.secret = sealedSecret(ctx.secrets, input.name, input.secret, stored)
      }
      for (const other of await listRegistrarRows(trx, ctx.store.dialect)) {
        if (other.name === input.name) continue
        const both = tldsOf(other).find((t) => tlds.includes(t))
        if (both) throw new DomainError('failed_precondition', `registrar ${other.name} already serves .${both}; remove it there first`, { field: 'tlds' })
      }
      const now = nowIso(ctx.clock)
      const row: RegistrarRow = {
        name: input.name,
        driver: input.driver,
        config: JSON.stringify(config),
        tlds: JSON.stringify(tlds),
        is_default: input.isDefault ? 1 : 0,
        created_at: stored?.created_at ?? now,
        updated_at: now,
      }
      if (input.isDefault) await clearDefaultRegistrar(trx, input.name, now)
      // The partial unique index keeps one default even when two writers race on PostgreSQL.
      await mapUnique(
        () => upsertRegistrarRow(trx, row),
        () => 'another registrar was made the default at the same time; try again',
      )
      return { registrar: toRegistrar(row, true), created: stored === undefined }
    })
  },
})

/** Refuses a URL that is not plain http(s), or that carries credentials. */
function checkUrl(url: string): void {
  let u: URL
  try {
    u = new URL(url)
  } catch {
    throw new DomainError('invalid_argument', 'url is not a URL', { field: 'url' })
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new DomainError('invalid_argument', 'url must be http or https', { field: 'url' })
  if (u.username !== '' || u.password !== '') throw new DomainError('invalid_argument', 'url must not carry credentials: the requests are signed with secret', { field: 'url' })
}

/**
 * The sealed secret to store: the given one sealed (the stored text kept when it is the same
 * secret, so that writing the same settings again changes nothing), or the stored one when none
 * is given or `{"set": true}` is.
 */
function sealedSecret(keys: Keyring, name: string, given: string | { set: true } | undefined, stored: RegistrarRow | undefined): string {
  const aad = registrarConfigAad(name, 'secret')
  const prev = stored && stored.driver === 'webhook' ? (JSON.parse(stored.config) as { secret?: unknown }).secret : undefined
  if (typeof given === 'string') {
    if (isSealed(given)) throw new DomainError('invalid_argument', 'secret is a sealed value: give the secret itself', { field: 'secret' })
    if (isSealed(prev) && opensTo(keys, prev, aad, given)) return prev
    return keys.seal(given, aad)
  }
  if (isSealed(prev)) return prev
  throw new DomainError(
    'invalid_argument',
    given === undefined ? 'secret is required for a webhook registrar' : 'secret is {"set": true}, which keeps the stored secret, but none is stored: give the secret itself',
    { field: 'secret' },
  )
}

function opensTo(keys: Keyring, sealed: string, aad: string, value: string): boolean {
  try {
    return keys.open(sealed, aad) === value
  } catch {
    return false
  }
}
