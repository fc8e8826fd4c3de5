import { after, before, it } from 'node:test'
import assert from 'node:assert/strict'
import { sql } from 'kysely'
import { eachDialect } from '../../../test/helpers/harness.js'
import { opsFixture, type OpsFixture } from '../../../test/helpers/ops.js'
import { createCustomer } from './create-customer.js'
import { updateOrg } from './update-org.js'
import { deleteOrg } from './delete-org.js'
import { listCustomers } from './list-customers.js'
import { isDomainError } from '../../core/errors.js'
import { countDescendants, subtreeRange } from '../../store/orgs.repo.js'
import { randomBytes } from 'node:crypto'
import { keyringOf, sealedKeyId, type Keyring } from '../../core/sealed.js'
import { orgSlackWebhookAad } from '../../core/org.js'
import { getOrg } from './get-org.js'
import { resealOrgSecrets } from './reseal-org-secrets.js'

eachDialect('organisation operations', (dialect) => {
  let f: OpsFixture
  before(async () => {
    f = await opsFixture(dialect)
  })
  after(() => f.close())

  it('keeps the per-ancestor counts equal to the rows, through creates, status changes and deletes', async () => {
    const top = await createCustomer(f.master, { parentId: f.masterId, name: 'Count Top', isReseller: true })
    const mids = []
    for (let i = 0; i < 4; i++) mids.push(await createCustomer(f.master, { parentId: top.id, name: `Mid ${i}`, isReseller: true }))
    for (const m of mids) for (let j = 0; j < 3; j++) await createCustomer(f.master, { parentId: m.id, name: `Leaf ${j}` })
    await updateOrg(f.master, { orgId: mids[0]!.id, isSuspended: true })
    await updateOrg(f.master, { orgId: mids[1]!.id, status: 'configured' })
    await deleteOrg(f.master, { orgId: mids[2]!.id, cascade: true })
    const db = f.deps.store.db
    const orgs = await db.selectFrom('orgs').select(['number', 'path', 'depth', 'status']).execute()
    for (const a of orgs) {
      const [lo, hi] = subtreeRange(a.path)
      for (const statuses of [['active'], ['suspended'], ['configured'], ['deleted'], ['active', 'configured', 'suspended', 'disabled']]) {
        for (const depth of [1, 2, undefined]) {
          let q = db
            .selectFrom('orgs')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .where('path', '>', lo)
            .where('path', '<', hi)
            .where('status', 'in', statuses)
          if (depth !== undefined) q = q.where('depth', '<=', a.depth + depth)
          const real = Number((await q.executeTakeFirstOrThrow()).n)
          assert.equal(await countDescendants(db, a.number, statuses, depth), real, `${a.path} ${statuses} ${depth}`)
        }
      }
    }
  })

  it('creates concurrently under one parent: one winner per name, no lost count, distinct codes', async () => {
    const parent = await createCustomer(f.master, { parentId: f.masterId, name: 'Race Parent', isReseller: true })
    const names = Array.from({ length: 40 }, (_, i) => `Racer ${i % 10}`)
    const results = await Promise.allSettled(names.map((name) => createCustomer(f.master, { parentId: parent.id, name })))
    const ok = results.filter((r) => r.status === 'fulfilled')
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected')
    assert.equal(ok.length, 10)
    for (const r of failed) assert.ok(isDomainError(r.reason, 'already_exists'), String(r.reason))
    const list = await listCustomers(f.master, { orgId: parent.id, limit: 100 })
    assert.equal(list.total, 10)
    assert.equal(list.items.length, 10)
    const codes = new Set(list.items.map((o) => o.code))
    assert.equal(codes.size, 10)
  })

  it('refuses bad input with invalid_argument and writes nothing', async () => {
    const before = await f.deps.store.db.selectFrom('orgs').select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow()
    for (const input of [{ parentId: f.masterId, name: '' }, { parentId: f.masterId, name: 'x', extra: 1 }, { parentId: f.masterId }] as any[]) {
      await assert.rejects(createCustomer(f.master, input), (e) => isDomainError(e, 'invalid_argument'))
    }
    const after = await f.deps.store.db.selectFrom('orgs').select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow()
    assert.equal(Number(after.n), Number(before.n))
  })

  const HOOK = 'https://hooks.slack.com/services/T000/B000/abcdefghijklmnop'
  const storedHook = async (id: string) =>
    (await f.deps.store.db.selectFrom('orgs').select('slack_webhook_sealed').where('id', '=', id).executeTakeFirstOrThrow()).slack_webhook_sealed ?? null

  it('keeps a Slack webhook URL sealed to its organisation, tells only whether one is set, and clears it', async () => {
    const c = await createCustomer(f.master, { parentId: f.masterId, name: 'Slack Customer' })
    assert.equal(c.slackWebhookSet, false)
    const set = await updateOrg(f.master, { orgId: c.id, slackNotificationWebhookUrl: HOOK })
    assert.equal(set.slackWebhookSet, true)
    assert.equal(JSON.stringify(set).includes('hooks.slack.com'), false)
    const sealed = (await storedHook(c.id))!
    assert.equal(sealed.includes('hooks.slack.com'), false)
    assert.equal(f.deps.secrets.open(sealed, orgSlackWebhookAad(c.id)), HOOK)
    assert.throws(() => f.deps.secrets.open(sealed, orgSlackWebhookAad(f.masterId)))
    // {unset: false} changes nothing; {unset: true} clears.
    assert.equal((await updateOrg(f.master, { orgId: c.id, slackNotificationWebhookUrl: { unset: false } })).slackWebhookSet, true)
    assert.equal((await updateOrg(f.master, { orgId: c.id, slackNotificationWebhookUrl: { unset: true } })).slackWebhookSet, false)
    assert.equal(await storedHook(c.id), null)
    assert.equal((await getOrg(f.master, { orgId: c.id })).slackWebhookSet, false)
  })

  it('refuses a Slack webhook URL that is not https, too long, or carries credentials, without repeating it', async () => {
    const c = await createCustomer(f.master, { parentId: f.masterId, name: 'Slack Refusals' })
    const bad = [
      'http://hooks.slack.com/services/secret-path',
      'not a url secret-path',
      'https://user:pw@hooks.slack.com/secret-path',
      `https://hooks.slack.com/${'x'.repeat(2000)}`,
      '',
      ' https://hooks.slack.com/secret-path',
      f.deps.secrets.seal(HOOK, orgSlackWebhookAad(c.id)),
    ]
    for (const url of bad) {
      await assert.rejects(updateOrg(f.master, { orgId: c.id, slackNotificationWebhookUrl: url }), (e) => {
        assert.ok(isDomainError(e, 'invalid_argument'), String(e))
        assert.equal((e as Error).message.includes('secret-path'), false, (e as Error).message)
        return true
      })
    }
    await assert.rejects(updateOrg(f.master, { orgId: c.id, slackNotificationWebhookUrl: { unset: true, url: HOOK } as never }), (e) => isDomainError(e, 'invalid_argument'))
    assert.equal(await storedHook(c.id), null)
  })

  it('lets only who may edit the organisation set its Slack webhook URL', async () => {
    const c = await createCustomer(f.master, { parentId: f.masterId, name: 'Slack Roles' })
    for (const role of ['billing', 'member', 'readonly'] as const) {
      const ctx = await f.as('admin', role)
      await assert.rejects(updateOrg(ctx, { orgId: c.id, slackNotificationWebhookUrl: HOOK }), (e) => isDomainError(e, 'forbidden'), role)
    }
    assert.equal(await storedHook(c.id), null)
  })

  it('re-seals Slack webhook URLs under a new first key, keeping them usable', async () => {
    const c = await createCustomer(f.master, { parentId: f.masterId, name: 'Slack Rotation' })
    await updateOrg(f.master, { orgId: c.id, slackNotificationWebhookUrl: HOOK })
    const before = (await storedHook(c.id))!
    assert.equal(sealedKeyId(before), f.deps.secrets.ids[0])
    assert.equal((await resealOrgSecrets(f.deps)).sealed, 0)
    const old = f.deps.secrets
    const rotated = keyringOf([randomBytes(32)], 'test')
    const ring: Keyring = { ...rotated, open: (v, aad) => (sealedKeyId(v) === old.ids[0] ? old.open(v, aad) : rotated.open(v, aad)), ids: [...rotated.ids, ...old.ids] }
    const version = (await getOrg(f.master, { orgId: c.id })).version
    assert.ok((await resealOrgSecrets({ ...f.deps, secrets: ring })).sealed >= 1)
    const after = (await storedHook(c.id))!
    assert.equal(sealedKeyId(after), rotated.ids[0])
    assert.equal(rotated.open(after, orgSlackWebhookAad(c.id)), HOOK)
    assert.equal((await getOrg(f.master, { orgId: c.id })).version, version)
    // A key this process lacks is reported, and the value left as it is.
    const stranger = keyringOf([randomBytes(32)], 'stranger')
    assert.deepEqual(await resealOrgSecrets({ ...f.deps, secrets: stranger }), { sealed: 0, unknownKeys: [rotated.ids[0]] })
    assert.equal(await storedHook(c.id), after)
  })
})

eachDialect('first start', (dialect) => {
  it('creates the master organisation and admin once; a later start changes neither', async () => {
    const { freshDb } = await import('../../../test/helpers/harness.js')
    const { createDeps } = await import('../../server.js')
    const { ensureMaster } = await import('./bootstrap.js')
    const { createAuthenticator } = await import('../../auth/authenticator.js')
    const db = await freshDb(dialect)
    const quiet = { info() {}, warn() {}, error() {} }
    const first = createDeps({ db: db.location, logger: quiet })
    await first.store.migrate()
    const a = await ensureMaster(first)
    assert.equal(a.created, true)
    assert.ok(a.password && a.password.length >= 16, 'a generated password is answered to print once')
    await first.store.close()
    const second = createDeps({ db: db.location, logger: quiet })
    await second.store.migrate()
    const b = await ensureMaster(second, 'a-different-password')
    assert.equal(b.created, false)
    assert.equal(b.orgId, a.orgId)
    assert.equal(b.password, undefined)
    const auth = createAuthenticator(second)
    const basic = (pw: string) => `Basic ${Buffer.from(`admin:${pw}`).toString('base64')}`
    assert.equal((await auth.authenticate({ authorization: basic(a.password!), ip: '127.0.0.1' })).orgId, a.orgId)
    await assert.rejects(auth.authenticate({ authorization: basic('a-different-password'), ip: '127.0.0.1' }))
    const users = await second.store.db.selectFrom('users').select('role').execute()
    assert.deepEqual(users.map((u) => u.role), ['superadmin'])
    await second.store.close()
    await db.drop()
  })
})
