import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { isDomainError } from './errors.js'
import { isSealed, keyId, keyringFromText, keyringOf, newKeyText, sealedKeyId } from './sealed.js'

const key = () => randomBytes(32)

describe('sealed secrets', () => {
  it('seals any JSON value so that it opens only with its key and where it was sealed', () => {
    const k = key()
    const ring = keyringOf([k], 'test')
    for (const value of ['webhook-secret', '', 42, { user: 'u', password: 'p' }, ['a'], null]) {
      const s = ring.seal(value, 'services/1/driverConfig/secret')
      assert.ok(isSealed(s), s)
      assert.equal(sealedKeyId(s), keyId(k))
      assert.ok(!s.includes('webhook-secret'))
      assert.deepEqual(ring.open(s, 'services/1/driverConfig/secret'), value)
    }
    const a = ring.seal('same', 'x')
    assert.notEqual(a, ring.seal('same', 'x'), 'a fresh IV every time')
  })

  it('refuses with a clear failed_precondition: another key, another place, an altered value', () => {
    const ring = keyringOf([key()], 'the test key')
    const other = keyringOf([key()], 'another key')
    const s = ring.seal('secret', 'here')
    const refused = (fn: () => unknown, why: RegExp) =>
      assert.throws(fn, (e: unknown) => isDomainError(e, 'failed_precondition') && /cannot be decrypted with this server's secret key/.test(e.message) && why.test(e.message))
    refused(() => other.open(s, 'here'), new RegExp(`sealed under key ${sealedKeyId(s)}, which this server does not have`))
    refused(() => ring.open(s, 'elsewhere'), /does not authenticate/)
    const parts = s.split(':')
    const body = Buffer.from(parts[4]!, 'base64url')
    body[0] = body[0]! ^ 1
    parts[4] = body.toString('base64url')
    refused(() => ring.open(parts.join(':'), 'here'), /does not authenticate/)
    refused(() => ring.open('sealed:v1:nonsense', 'here'), /not a sealed value/)
  })

  it('rotates: the first key seals, every key opens', () => {
    const old = key()
    const fresh = key()
    const before = keyringOf([old], 'old')
    const after = keyringFromText(`# new key first\n${fresh.toString('base64')}\n${old.toString('base64url')}\n`, 'file')
    assert.deepEqual(after.ids, [keyId(fresh), keyId(old)])
    const s = before.seal('v', 'a')
    assert.equal(after.open(s, 'a'), 'v')
    assert.equal(sealedKeyId(after.seal('v', 'a')), keyId(fresh))
    assert.equal(keyringFromText(`${fresh.toString('base64')},${old.toString('base64')}`, 'env').ids.length, 2)
  })

  it('reads keys of 32 bytes only, and never shows them', () => {
    assert.equal(keyringFromText(newKeyText(), 'f').ids.length, 1)
    for (const bad of ['', '# nothing\n', 'c2hvcnQ=', 'not base64!!']) {
      assert.throws(() => keyringFromText(bad, 'CLIENTELE_SECRET_KEY'), (e: unknown) => isDomainError(e, 'invalid_argument') && e.message.includes('CLIENTELE_SECRET_KEY'))
    }
    const k = key()
    const ring = keyringOf([k], 'src')
    const shown = JSON.stringify(ring) + String(ring) + JSON.stringify(Object.entries(ring))
    assert.ok(!shown.includes(k.toString('base64')) && !shown.includes(k.toString('hex')))
  })

  it('tells sealed values from others', () => {
    assert.equal(isSealed('sealed:v1:'), false)
    assert.equal(isSealed('plain secret'), false)
    assert.equal(isSealed({ set: true }), false)
  })
})
