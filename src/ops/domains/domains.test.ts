import { after, before, it } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { eachDialect } from '../../../test/helpers/harness.js'
import { opsFixture, type OpsFixture } from '../../../test/helpers/ops.js'
import { isDomainError } from '../../core/errors.js'
import { keyringOf, sealedKeyId } from '../../core/sealed.js'
import { createCustomer } from '../orgs/create-customer.js'
import { listDomains, registerDomain, unregisterDomain } from './domains.js'
import { putRegistrar } from './put-registrar.js'
import { resealRegistrarSecrets } from './reseal-registrar-secrets.js'

eachDialect('domain operations', (dialect) => {
  let f: OpsFixture
  const customers: string[] = []
  before(async () => {
    f = await opsFixture(dialect)
    for (let i = 0; i < 6; i++) customers.push((await createCustomer(f.master, { parentId: f.masterId, name: `Domain Ops ${i}` })).id)
  })
  after(() => f.close())

  it('answers the shapes the faces rely on', async () => {
    const [a] = customers as [string]
    assert.deepEqual(await registerDomain(f.master, { orgId: a, domain: 'Ops.Example', username: 'u', password: 'p' }), {
      domain: 'ops.example',
      registrar: 'local',
      created: true,
    })
    assert.deepEqual(await registerDomain(f.master, { orgId: a, domain: 'ops.example' }), { domain: 'ops.example', registrar: 'local', created: false })
    const list = await listDomains(f.master, { orgId: a })
    assert.deepEqual(
      list.map((d) => [d.name, d.unicodeName, d.registrar, d.status]),
      [['ops.example', 'ops.example', 'local', 'registered']],
    )
    assert.deepEqual(await unregisterDomain(f.master, { orgId: a, domain: 'ops.example', username: '', password: '' }), { domain: 'ops.example', registrar: 'local' })
    await assert.rejects(unregisterDomain(f.master, { orgId: a, domain: 'ops.example' }), (e) => isDomainError(e, 'not_found'))
    await assert.rejects(registerDomain(f.master, { orgId: a, domain: 'no_underscores.example' }), (e) => isDomainError(e, 'invalid_argument'))
    await assert.rejects(registerDomain(f.master, { orgId: a, domain: 'x.example', password: 'p'.repeat(201) }), (e) => isDomainError(e, 'invalid_argument'))
  })

  it('gives a domain raced for by six customers to exactly one, every round', async () => {
    for (let round = 0; round < 5; round++) {
      const domain = `contested${round}.example`
      const results = await Promise.allSettled(customers.map((orgId) => registerDomain(f.master, { orgId, domain })))
      const won = results.filter((r) => r.status === 'fulfilled')
      assert.equal(won.length, 1, `round ${round}`)
      for (const r of results) if (r.status === 'rejected') assert.ok(isDomainError(r.reason, 'already_exists'), String(r.reason))
      const holders = (await Promise.all(customers.map((orgId) => listDomains(f.master, { orgId })))).filter((l) => l.some((d) => d.name === domain))
      assert.equal(holders.length, 1)
    }
  })

  it('re-seals registrar secrets under a new first key, keeping them usable', async () => {
    await putRegistrar(f.master, { name: 'rotating', driver: 'webhook', url: 'http://127.0.0.1:9/', secret: 'a-registrar-secret' })
    const stored = async () => JSON.parse((await f.deps.store.db.selectFrom('registrars').select('config').where('name', '=', 'rotating').executeTakeFirstOrThrow()).config).secret
    const before = await stored()
    assert.equal(sealedKeyId(before), f.deps.secrets.ids[0])
    assert.deepEqual(await resealRegistrarSecrets(f.deps), { sealed: 0, unknownKeys: [] })
    const fresh = randomBytes(32)
    const old = f.deps.secrets
    // A keyring whose first key is new and which still opens the old key's values.
    const rotated = keyringOf([fresh], 'test')
    const ring = { ...rotated, open: (v: string, aad: string) => (sealedKeyId(v) === old.ids[0] ? old.open(v, aad) : rotated.open(v, aad)), ids: [...rotated.ids, ...old.ids] }
    assert.deepEqual(await resealRegistrarSecrets({ ...f.deps, secrets: ring }), { sealed: 1, unknownKeys: [] })
    const after = await stored()
    assert.equal(sealedKeyId(after), rotated.ids[0])
    assert.equal(rotated.open(after, 'registrars/rotating/config/secret'), 'a-registrar-secret')
  })
})
