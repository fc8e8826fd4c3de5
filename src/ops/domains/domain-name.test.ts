import { it } from 'node:test'
import assert from 'node:assert/strict'
import { normalizeDomain, normalizeTld } from './domain-name.js'
import { isDomainError } from '../../core/errors.js'

it('normalises domain names: IDN to punycode, lower case, no trailing dot', () => {
  for (const [given, ascii, unicode] of [
    ['example.com', 'example.com', 'example.com'],
    ['EXAMPLE.Com.', 'example.com', 'example.com'],
    ['Bücher.Example', 'xn--bcher-kva.example', 'bücher.example'],
    ['xn--bcher-kva.example', 'xn--bcher-kva.example', 'bücher.example'],
    ['例え。テスト', 'xn--r8jz45g.xn--zckzah', '例え.テスト'],
    ['a-b.c-d.co.uk', 'a-b.c-d.co.uk', 'a-b.c-d.co.uk'],
    [`${'a'.repeat(63)}.com`, `${'a'.repeat(63)}.com`, `${'a'.repeat(63)}.com`],
    ['sub.1.2.example', 'sub.1.2.example', 'sub.1.2.example'],
  ] as const) {
    assert.deepEqual(normalizeDomain(given), { ascii, unicode }, given)
  }
  const long = `${Array.from({ length: 4 }, () => 'b'.repeat(61)).join('.')}.com`
  assert.equal(long.length, 251)
  assert.equal(normalizeDomain(long).ascii, long)
})

it('refuses what is not a host name', () => {
  for (const given of [
    '',
    '.',
    'com',
    'localhost.',
    '.example.com',
    'a..com',
    '-a.com',
    'a-.com',
    'a_b.com',
    'a/b.com',
    'a\\b.com',
    '%41.com',
    'a b.com',
    'a@b.com',
    'a:80.com',
    '[::1]',
    '1.2.3.4',
    'xn--zz.com',
    `${'a'.repeat(64)}.com`,
    `${Array.from({ length: 5 }, () => 'c'.repeat(60)).join('.')}.com`,
    'example.com..',
  ]) {
    assert.throws(() => normalizeDomain(given), (e: unknown) => isDomainError(e, 'invalid_argument'), JSON.stringify(given))
  }
})

it('normalises TLDs', () => {
  assert.equal(normalizeTld('com'), 'com')
  assert.equal(normalizeTld('.COM'), 'com')
  assert.equal(normalizeTld('рф'), 'xn--p1ai')
  for (const bad of ['', '.', 'co.uk', '123', 'a_b', '-x']) {
    assert.throws(() => normalizeTld(bad), (e: unknown) => isDomainError(e, 'invalid_argument'), bad)
  }
})
