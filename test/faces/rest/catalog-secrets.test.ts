/**
 * Driver secrets at rest: sealed in `services.driver_config` on every write path, never shown by
 * a read (`{"set": true}` in their place), kept when written back in that form, and opened only
 * for the driver and the callback check; a key that cannot open them gives a clear error.
 */
import { after, before, it } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml'
import { ADMIN_PASSWORD, eachDialect, freshDb, startServer, type TestServer } from '../../helpers/harness.js'
import { startReceiver, type Receiver } from '../../jobs/receiver.js'
import { sign } from '../../../src/jobs/signing.js'
import { createDeps } from '../../../src/server.js'
import { startWorker } from '../../../src/jobs/worker.js'
import { acceptCallback } from '../../../src/ops/provisioning/accept-callback.js'
import { isDomainError } from '../../../src/core/errors.js'
import { keyId, sealedKeyId } from '../../../src/core/sealed.js'
import { defaultKeyFile } from '../../../src/secret-key.js'

const SECRET = 'webhook-secret-never-shown'
const quiet = { info() {}, warn() {}, error() {} }
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

async function storedConfig(s: TestServer, name: string): Promise<string> {
  const r = await s.deps.store.db.selectFrom('services').select('driver_config').where('name', '=', name).executeTakeFirstOrThrow()
  return r.driver_config
}

async function until(s: TestServer, requestGuid: string, want: (j: any) => boolean, ms = 10_000): Promise<any> {
  const end = Date.now() + ms
  for (;;) {
    const j = await s.req('GET', `/jobs/${requestGuid}`)
    assert.equal(j.status, 200, j.text)
    if (want(j.body)) return j.body
    if (Date.now() > end) assert.fail(`request ${requestGuid} still ${j.body.status}: ${JSON.stringify(j.body.log)}`)
    await sleep(25)
  }
}
const finished = (j: any) => j.status === 'succeeded' || j.status === 'failed'

eachDialect('driver secrets at rest', (dialect) => {
  let s: TestServer
  let rx: Receiver

  before(async () => {
    rx = await startReceiver(SECRET)
    s = await startServer(dialect, { worker: { retryBaseMs: 50, pollMaxMs: 20, leaseMs: 3000 } })
  })
  after(async () => {
    await s.close()
    await rx.close()
  })

  /** Queues a test provisioning of `service` and waits for its end. */
  async function provisioned(service: string): Promise<{ job: any; jobGuid: string }> {
    const a = await s.req('POST', `/services/${service}/test-provision`, { body: {} })
    assert.equal(a.status, 202, a.text)
    return { job: await until(s, a.body.requestGuid, finished), jobGuid: a.body.jobGuid }
  }
  const signedDelivery = (jobGuid: string) => rx.deliveries.find((d) => d.jobGuid === jobGuid)?.signed

  it('stores a created secret sealed, answers it as {"set": true}, and still signs deliveries with it', async () => {
    const c = await s.req('POST', '/services', { body: { name: 'WH', driver: 'webhook', driverConfig: { url: `${rx.base}/ok`, secret: SECRET } } })
    assert.equal(c.status, 201, c.text)
    assert.deepEqual(c.body.driverConfig, { url: `${rx.base}/ok`, secret: { set: true } })
    assert.ok(!c.text.includes(SECRET))

    const stored = await storedConfig(s, 'WH')
    assert.ok(!stored.includes(SECRET), stored)
    assert.match(JSON.parse(stored).secret, /^sealed:v1:[0-9a-f]{8}:/)
    assert.equal(JSON.parse(stored).url, `${rx.base}/ok`, 'settings that are not secret stay readable')

    for (const path of ['/services/WH', '/services/wh', '/services', '/catalog', '/catalog?filter=all']) {
      const r = await s.req('GET', path)
      assert.equal(r.status, 200, path)
      assert.ok(!r.text.includes(SECRET) && !r.text.includes('sealed:v1'), path)
    }
    assert.deepEqual((await s.req('GET', '/services/WH')).body.driverConfig.secret, { set: true })
    const doc = (await s.req('GET', '/catalog?filter=all')).body
    assert.deepEqual(doc.services.find((x: any) => x.name === 'WH').driverConfig, { url: `${rx.base}/ok`, secret: { set: true } })

    const { job, jobGuid } = await provisioned('WH')
    assert.equal(job.status, 'succeeded', JSON.stringify(job.log))
    assert.equal(signedDelivery(jobGuid), true)
    assert.ok(!JSON.stringify(job).includes(SECRET))
  })

  it('keeps the stored secret when {"set": true} is written back, and replaces it when a secret is given', async () => {
    const before = await storedConfig(s, 'WH')
    const kept = await s.req('PATCH', '/services/WH', { body: { driverConfig: { url: `${rx.base}/ok`, secret: { set: true }, timeoutMs: 5000 } } })
    assert.equal(kept.status, 200, kept.text)
    assert.deepEqual(kept.body.driverConfig, { url: `${rx.base}/ok`, secret: { set: true }, timeoutMs: 5000 })
    assert.equal(JSON.parse(await storedConfig(s, 'WH')).secret, JSON.parse(before).secret)
    const { job, jobGuid } = await provisioned('WH')
    assert.equal(job.status, 'succeeded', JSON.stringify(job.log))
    assert.equal(signedDelivery(jobGuid), true)

    const replaced = await s.req('PATCH', '/services/WH', { body: { driverConfig: { url: `${rx.base}/ok`, secret: 'another-secret' } } })
    assert.equal(replaced.status, 200, replaced.text)
    const after = await storedConfig(s, 'WH')
    assert.ok(!after.includes('another-secret'))
    assert.notEqual(JSON.parse(after).secret, JSON.parse(before).secret)
    // The receiver knows only SECRET: a delivery signed with another secret is refused (401, not retried).
    const wrong = await provisioned('WH')
    assert.equal(wrong.job.status, 'failed')
    assert.equal(signedDelivery(wrong.jobGuid), false)
    assert.equal((await s.req('PATCH', '/services/WH', { body: { driverConfig: { url: `${rx.base}/ok`, secret: SECRET } } })).status, 200)
  })

  it('refuses {"set": true} where no secret is stored, and a value in the sealed format, changing nothing', async () => {
    const none = await s.req('POST', '/services', { body: { name: 'NOSECRET', driver: 'webhook', driverConfig: { url: `${rx.base}/ok`, secret: { set: true } } } })
    assert.equal(none.status, 400, none.text)
    assert.match(none.body.detail, /driverConfig\.secret .*none is stored/)
    assert.equal((await s.req('GET', '/services/NOSECRET')).status, 404)
    const sealed = JSON.parse(await storedConfig(s, 'WH')).secret as string
    const copied = await s.req('POST', '/services', { body: { name: 'COPY', driver: 'webhook', driverConfig: { url: `${rx.base}/ok`, secret: sealed } } })
    assert.equal(copied.status, 400, copied.text)
    const put = await s.req('PUT', '/catalog', { body: { services: [{ name: 'NEWONE', driver: 'webhook', driverConfig: { url: 'https://x.example', secret: { set: true } } }] } })
    assert.equal(put.status, 400, put.text)
    assert.match(put.body.detail, /services\.0\.driverConfig\.secret/)
  })

  it('imports its own export as no change, keeping the secret; a secret given in clear is sealed', async () => {
    const before = await storedConfig(s, 'WH')
    const doc = (await s.req('GET', '/catalog?filter=all')).body
    const edited = structuredClone(doc)
    edited.services.find((x: any) => x.name === 'WH').description = 'edited after export'
    const r = await s.req('PUT', '/catalog', { body: edited })
    assert.equal(r.status, 200, r.text)
    assert.deepEqual(r.body.services, { created: 0, updated: 1, deleted: 0, unchanged: doc.services.length - 1 })
    assert.equal(JSON.parse(await storedConfig(s, 'WH')).secret, JSON.parse(before).secret)
    const again = await s.req('PUT', '/catalog', { body: edited })
    assert.deepEqual(again.body.services, { created: 0, updated: 0, deleted: 0, unchanged: doc.services.length })
    const { job, jobGuid } = await provisioned('WH')
    assert.equal(job.status, 'succeeded', JSON.stringify(job.log))
    assert.equal(signedDelivery(jobGuid), true)

    const clear = { services: [{ name: 'IMPORTED', driver: 'webhook', driverConfig: { url: `${rx.base}/ok`, secret: SECRET } }] }
    assert.equal((await s.req('PUT', '/catalog', { body: clear })).body.services.created, 1)
    assert.ok(!(await storedConfig(s, 'IMPORTED')).includes(SECRET))
    // The same secret in clear again is no change: its sealed text is kept.
    assert.equal((await s.req('PUT', '/catalog', { body: clear })).body.services.unchanged, 1)
    assert.equal(signedDelivery((await provisioned('IMPORTED')).jobGuid), true)
  })

  it('verifies a callback with the sealed secret', async () => {
    assert.equal((await s.req('POST', '/services', { body: { name: 'WACC', driver: 'webhook', driverConfig: { url: `${rx.base}/accept`, secret: SECRET } } })).status, 201)
    const a = await s.req('POST', '/services/WACC/test-provision', { body: {} })
    await until(s, a.body.requestGuid, (j) => !!j.times.stages['waiting for callback'])
    const body = JSON.stringify({ status: 'succeeded', result: { ok: 1 } })
    const now = Math.floor(Date.now() / 1000)
    const post = (secret: string) =>
      fetch(`${s.base}/jobs/${a.body.jobGuid}/callback`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-clientele-timestamp': String(now), 'x-clientele-signature': sign(secret, now, body) },
        body,
      })
    // Signed with the sealed text itself (what a leaked database would give): refused.
    assert.equal((await post(JSON.parse(await storedConfig(s, 'WACC')).secret)).status, 401)
    assert.equal((await post(SECRET)).status, 200)
    assert.equal((await until(s, a.body.requestGuid, finished)).status, 'succeeded')
  })

  it('seals a secret stored in clear before this change when the store is brought up to date', async () => {
    assert.equal((await s.req('POST', '/services', { body: { name: 'LEGACY', driver: 'webhook', driverConfig: { url: `${rx.base}/ok` } } })).status, 201)
    const legacy = JSON.stringify({ url: `${rx.base}/ok`, secret: SECRET })
    await s.deps.store.write((trx) => trx.updateTable('services').set({ driver_config: legacy }).where('name', '=', 'LEGACY').execute())
    // Even before it is sealed, no read shows it.
    const early = await s.req('GET', '/services/LEGACY')
    assert.deepEqual(early.body.driverConfig.secret, { set: true })
    assert.ok(!(await s.req('GET', '/catalog?filter=all')).text.includes(SECRET))

    await s.deps.store.migrate()
    const stored = await storedConfig(s, 'LEGACY')
    assert.ok(!stored.includes(SECRET), stored)
    assert.match(JSON.parse(stored).secret, /^sealed:v1:/)
    await s.deps.store.migrate()
    assert.equal(await storedConfig(s, 'LEGACY'), stored, 'sealing again changes nothing')
    assert.equal(signedDelivery((await provisioned('LEGACY')).jobGuid), true)
  })

  it('seals the settings kept when the driver changes to one with secrets', async () => {
    assert.equal((await s.req('POST', '/services', { body: { name: 'SWITCH', driverConfig: { url: `${rx.base}/ok`, secret: SECRET } } })).status, 201)
    assert.ok((await storedConfig(s, 'SWITCH')).includes(SECRET), 'noop declares no secret keys')
    const p = await s.req('PATCH', '/services/SWITCH', { body: { driver: 'webhook' } })
    assert.equal(p.status, 200, p.text)
    assert.deepEqual(p.body.driverConfig.secret, { set: true })
    assert.ok(!(await storedConfig(s, 'SWITCH')).includes(SECRET))
    assert.equal(signedDelivery((await provisioned('SWITCH')).jobGuid), true)
  })
})

eachDialect('driver secrets under another key', (dialect) => {
  let s: TestServer
  let rx: Receiver
  let dir: string

  before(async () => {
    rx = await startReceiver(SECRET)
    s = await startServer(dialect, { worker: false })
    dir = mkdtempSync(join(tmpdir(), 'clientele-otherkey-'))
  })
  after(async () => {
    await s.close()
    await rx.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('fails the job with a clear message, refuses the callback, and leaves the secret alone', async () => {
    assert.equal((await s.req('POST', '/services', { body: { name: 'WOK', driver: 'webhook', driverConfig: { url: `${rx.base}/accept`, secret: SECRET } } })).status, 201)
    const stored = await storedConfig(s, 'WOK')
    const a = await s.req('POST', '/services/WOK/test-provision', { body: {} })
    assert.equal(a.status, 202, a.text)

    const keyFile = join(dir, 'other.key')
    writeFileSync(keyFile, randomBytes(32).toString('base64') + '\n', { mode: 0o600 })
    const warnings: string[] = []
    const other = createDeps({ db: s.location, poolSize: 3, secretKeyFile: keyFile, logger: { ...quiet, warn: (_o: unknown, m?: string) => void warnings.push(m ?? '') } })
    try {
      await other.store.migrate()
      assert.ok(warnings.some((w) => /sealed under a key this process does not have/.test(w)), warnings.join('\n'))
      assert.equal(await storedConfig(s, 'WOK'), stored, 'a process with another key changes nothing')

      const worker = startWorker(other, { pollMaxMs: 20, retryBaseMs: 50 })
      let j: any
      try {
        j = await until(s, a.body.requestGuid, finished)
      } finally {
        await worker.stop()
      }
      assert.equal(j.status, 'failed')
      assert.match(j.error, /secret driverConfig\.secret: the sealed value cannot be decrypted with this server's secret key/)
      assert.match(j.error, /which this server does not have/)
      assert.equal(rx.deliveries.length, 0, 'nothing was sent')

      const body = JSON.stringify({ status: 'succeeded' })
      const now = Math.floor(Date.now() / 1000)
      await assert.rejects(
        acceptCallback(other, { jobGuid: a.body.jobGuid, timestamp: String(now), signature: sign(SECRET, now, body), body }),
        (e: unknown) => isDomainError(e, 'unauthenticated'),
      )
    } finally {
      await other.store.close()
    }
  })

  it('rotates: with a new key first and the old one after it, a start re-seals under the new key', async () => {
    assert.equal((await s.req('POST', '/services', { body: { name: 'ROT', driver: 'webhook', driverConfig: { url: `${rx.base}/ok`, secret: SECRET } } })).status, 201)
    // The server's key, wherever this run took it from (see src/secret-key.ts).
    const oldKey = process.env.CLIENTELE_SECRET_KEY || readFileSync(process.env.CLIENTELE_SECRET_KEY_FILE || defaultKeyFile(s.location), 'utf8').trim()
    const newKey = randomBytes(32)
    const keyFile = join(dir, 'rotated.key')
    writeFileSync(keyFile, `${newKey.toString('base64')}\n${oldKey}\n`, { mode: 0o600 })
    const rotated = createDeps({ db: s.location, poolSize: 3, secretKeyFile: keyFile, logger: quiet })
    try {
      await rotated.store.migrate()
      const secret = JSON.parse(await storedConfig(s, 'ROT')).secret as string
      assert.equal(sealedKeyId(secret), keyId(newKey))
      const a = await s.req('POST', '/services/ROT/test-provision', { body: {} })
      const worker = startWorker(rotated, { pollMaxMs: 20, retryBaseMs: 50 })
      try {
        const j = await until(s, a.body.requestGuid, finished)
        assert.equal(j.status, 'succeeded', JSON.stringify(j.log))
      } finally {
        await worker.stop()
      }
      assert.equal(rx.deliveries.find((d) => d.jobGuid === a.body.jobGuid)?.signed, true)
    } finally {
      await rotated.store.close()
    }
  })
})

const ROOT = fileURLToPath(new URL('../../../', import.meta.url))

/** Runs `clientele ARGS…` as a user would, from the repository's root. */
function clientele(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['bin/clientele.js', ...args], { cwd: ROOT, env: { ...process.env, CLIENTELE_ADMIN_PASSWORD: ADMIN_PASSWORD } }, (err, stdout, stderr) =>
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    )
  })
}

eachDialect('clientele catalog import and export with driver secrets', (dialect) => {
  let db: { location: string; drop(): Promise<void> }
  let dir: string
  before(async () => {
    db = await freshDb(dialect)
    dir = mkdtempSync(join(tmpdir(), 'clientele-cli-secrets-'))
  })
  after(async () => {
    await db.drop()
    rmSync(dir, { recursive: true, force: true })
  })

  it('seals a YAML secret, exports it as {set: true}, and round-trips the export without losing it', async () => {
    const file = join(dir, 'in.yaml')
    writeFileSync(file, stringifyYaml({ services: [{ name: 'HOOK', driver: 'webhook', driverConfig: { url: 'https://hooks.example/p', secret: SECRET } }] }))
    const imported = await clientele(['catalog', 'import', file, '--db', db.location])
    assert.equal(imported.code, 0, imported.stderr)

    const deps = createDeps({ db: db.location, logger: quiet })
    const stored = async () =>
      (await deps.store.db.selectFrom('services').select('driver_config').where('name', '=', 'HOOK').executeTakeFirstOrThrow()).driver_config
    try {
      const first = await stored()
      assert.ok(!first.includes(SECRET), first)

      const exported = await clientele(['catalog', 'export', '--db', db.location])
      assert.equal(exported.code, 0, exported.stderr)
      assert.ok(!exported.stdout.includes(SECRET) && !exported.stdout.includes('sealed:v1'))
      const doc = parseYaml(exported.stdout) as any
      assert.deepEqual(doc.services[0].driverConfig, { url: 'https://hooks.example/p', secret: { set: true } })

      doc.services[0].driverConfig.url = 'https://hooks.example/q'
      writeFileSync(file, stringifyYaml(doc))
      const again = await clientele(['catalog', 'import', file, '--db', db.location])
      assert.equal(again.code, 0, again.stderr)
      assert.match(again.stdout, /^services: 0 created, 1 updated/m)
      const after = JSON.parse(await stored())
      assert.equal(after.url, 'https://hooks.example/q')
      assert.equal(after.secret, JSON.parse(first).secret, 'the secret is kept as it was sealed')
    } finally {
      await deps.store.close()
    }
  })
})
