/**
 * idl/customer.thrift against seed 001 (test/fixtures/seed001/seed-001.txt, a copy of the seed):
 * every function of the seed's table is declared, with each parameter at the seed's id, of the
 * seed's type, under the seed's name; every `Types.*` the seed names is declared; every function
 * throws `InvalidArguments` at id 1. Reads both files as text (no Thrift compiler needed).
 */
import { it, describe } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'

const seed = readFileSync(new URL('./fixtures/seed001/seed-001.txt', import.meta.url), 'utf8')
const idl = readFileSync(new URL('../idl/customer.thrift', import.meta.url), 'utf8')

interface SeedParam {
  name: string
  idx: number
  type: string
}

/** The seed's functions: its table's names, each with the parameters of its section. */
function seedFunctions(): Map<string, SeedParam[]> {
  const lines = seed.split('\n')
  const titles = new Map<string, string>()
  for (const l of lines) {
    const m = /^\| (\w+) \| ([^|]+) \|$/.exec(l.trim())
    if (m && m[1] !== 'Functions' && m[1] !== 'Service') titles.set(m[2]!.trim(), m[1]!)
  }
  const out = new Map<string, SeedParam[]>()
  let current: string | undefined
  for (const l of lines) {
    const t = l.trim()
    const fn = titles.get(t)
    if (fn !== undefined && !t.startsWith('|')) {
      current = fn
      out.set(fn, [])
      continue
    }
    const p = /^\|\s*(?:(\w+)\s*\|)?.*\(idx: (\d+), type: (Thrift\.(?:list|map) \([^)]*\)|[^,)]+)/.exec(t)
    if (p && current) out.get(current)!.push({ name: p[1] ?? '', idx: Number(p[2]), type: p[3]!.trim() })
  }
  return out
}

/** A seed type as Thrift IDL writes it. */
function idlType(t: string): string {
  const list = /^Thrift\.list \((.+)\)$/.exec(t)
  if (list) return `list<${idlType(list[1]!)}>`
  const map = /^Thrift\.map \((.+) => (.+)\)$/.exec(t)
  if (map) return `map<${idlType(map[1]!)}, ${idlType(map[2]!)}>`
  if (t.startsWith('Thrift.')) return t.slice('Thrift.'.length)
  if (t.startsWith('Types.')) return t.slice('Types.'.length)
  return t
}

/** The service's functions as declared: name → params by id, and the throws clause. */
function idlFunctions(): Map<string, { params: Map<number, { type: string; name: string }>; throws: string }> {
  const body = idl.slice(idl.indexOf('service Customer {'))
  const out = new Map<string, { params: Map<number, { type: string; name: string }>; throws: string }>()
  const fn = /(?:^|\n)\s*[\w<>, ]+?\s+(\w+)\(([\s\S]*?)\)\s*throws\s*\(([^)]*)\)/g
  for (const m of body.matchAll(fn)) {
    const params = new Map<number, { type: string; name: string }>()
    for (const a of m[2]!.matchAll(/(\d+):\s*((?:list|map)<[^>]+>|[\w.]+)\s+(\w+)/g)) params.set(Number(a[1]), { type: a[2]!.replace(/\s+/g, ' '), name: a[3]! })
    out.set(m[1]!, { params, throws: m[3]!.trim() })
  }
  return out
}

describe('idl/customer.thrift against seed 001', () => {
  const want = seedFunctions()
  const have = idlFunctions()

  it('reads the seed: 35 functions, CP_Wizard with its eleven parameters', () => {
    assert.equal(want.size, 35)
    assert.equal(want.get('CP_Wizard')!.length, 11)
    assert.deepEqual(want.get('createKeyACL'), [
      { name: 'id', idx: 1, type: 'Types.APIKeyId' },
      { name: 'address', idx: 2, type: 'Types.IPAddress' },
      { name: 'cidr', idx: 3, type: 'Types.CIDRMask' },
    ])
  })

  it('declares every function of the seed, each parameter at its id with its type and name, throwing InvalidArguments', () => {
    assert.deepEqual([...have.keys()].sort(), [...want.keys()].sort())
    for (const [name, params] of want) {
      const f = have.get(name)!
      assert.equal(f.throws, '1: InvalidArguments e', name)
      assert.equal(f.params.size, params.length, `${name}: ${[...f.params.keys()]} vs ${params.map((p) => p.idx)}`)
      for (const p of params) {
        const got = f.params.get(p.idx)
        assert.ok(got, `${name} has no parameter ${p.idx}`)
        assert.equal(got.type, idlType(p.type), `${name} parameter ${p.idx}`)
        // The seed's changeEmail leaves its second parameter unnamed.
        if (p.name !== '') assert.equal(got.name, p.name, `${name} parameter ${p.idx}`)
      }
    }
  })

  it('declares every Types.* the seed names, and the exception', () => {
    const named = new Set([...seed.matchAll(/Types\.(\w+)/g)].map((m) => m[1]!))
    assert.ok(named.size >= 30, `${named.size} types`)
    for (const t of named) assert.match(idl, new RegExp(`(typedef [^\\n]+ ${t}\\b|struct ${t} \\{|enum ${t} \\{)`), `Types.${t}`)
    assert.match(idl, /exception InvalidArguments \{\s*1: required string message,\s*2: optional string field,/)
  })
})
