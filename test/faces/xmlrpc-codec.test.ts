/**
 * The XML-RPC codec (src/faces/xmlrpc/codec.ts): Python's xmlrpc.client as the reference in both
 * directions (its dumps() parsed here, our output read by its loads()), the type mapping, and
 * the refusals: malformed XML, limits, entities, characters XML cannot carry.
 */
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import {
  DEFAULT_LIMITS,
  encodeFault,
  encodeResponse,
  lastReaderUsed,
  parseMethodCall,
  setFastPath,
  XmlRpcCodecError,
  type XmlRpcValue,
} from '../../src/faces/xmlrpc/codec.js'
import { python3 } from '../helpers/programs.js'

const PYTHON = python3()

/** Runs a Python script with `input` on stdin and returns its stdout parsed as JSON. */
function py(script: string, input = ''): any {
  const r = spawnSync(PYTHON, ['-c', script], { input, encoding: 'utf8', timeout: 60_000, maxBuffer: 64 * 1024 * 1024 })
  assert.equal(r.status, 0, `python failed: ${r.stderr}`)
  return JSON.parse(r.stdout)
}

/**
 * Python-side tagging of loaded values, so that JSON can carry them: bytes, datetimes and
 * structs are tagged; numbers are {$num} (strict=False) or {$int}/{$float} (strict=True).
 * Struct members are sorted by name (XML-RPC structs are unordered; JS orders integer-like keys).
 */
const PY_PRELUDE = String.raw`
import base64, datetime, json, sys, xmlrpc.client as x
def tag(v, strict=False):
    if v is None: return None
    if isinstance(v, bool): return v
    if isinstance(v, int): return {'$int': v} if strict else {'$num': v}
    if isinstance(v, float): return {'$float': v} if strict else {'$num': v}
    if isinstance(v, str): return v
    if isinstance(v, (bytes, bytearray)): return {'$bytes': base64.b64encode(bytes(v)).decode()}
    if isinstance(v, datetime.datetime):
        return {'$date': '%04d-%02d-%02dT%02d:%02d:%02d.000Z' % (v.year, v.month, v.day, v.hour, v.minute, v.second)}
    if isinstance(v, (list, tuple)): return [tag(i, strict) for i in v]
    if isinstance(v, dict): return {'$struct': sorted([[k, tag(i, strict)] for k, i in v.items()], key=lambda p: p[0])}
    raise TypeError(type(v))
`

/** The same tagging for our values. */
function tag(v: unknown, strict = false): unknown {
  if (v === null) return null
  if (typeof v === 'boolean' || typeof v === 'string') return v
  if (typeof v === 'number') return strict ? (Number.isSafeInteger(v) && !Object.is(v, -0) ? { $int: v } : { $float: v }) : { $num: v }
  if (Buffer.isBuffer(v)) return { $bytes: v.toString('base64') }
  if (v instanceof Date) return { $date: v.toISOString() }
  if (Array.isArray(v)) return v.map((i) => tag(i, strict))
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>
    return { $struct: Object.keys(o).sort().map((k) => [k, tag(o[k], strict)]) }
  }
  throw new Error(`cannot tag ${typeof v}`)
}

/** A struct as the parser builds it: null prototype. */
function struct(o: Record<string, XmlRpcValue>): { [k: string]: XmlRpcValue } {
  return Object.assign(Object.create(null), o)
}

function call(paramsXml: string, method = 'm'): string {
  return `<?xml version="1.0"?><methodCall><methodName>${method}</methodName><params>${paramsXml}</params></methodCall>`
}

function one(valueXml: string): XmlRpcValue {
  const { params } = parseMethodCall(call(`<param>${valueXml}</param>`))
  assert.equal(params.length, 1)
  return params[0]!
}

function refused(xml: string | Uint8Array, pattern: RegExp, limits?: Parameters<typeof parseMethodCall>[1]): void {
  assert.throws(
    () => parseMethodCall(xml, limits),
    (e: unknown) => {
      assert.ok(e instanceof XmlRpcCodecError, `expected XmlRpcCodecError, got ${String(e)}`)
      assert.match(e.message, pattern)
      return true
    },
  )
}

/** Python values (as Python source) that its dumps() writes as method calls. */
const PY_CALLS = String.raw`[
  (('Acme Corp', {'description': 'a customer', 'n': 5}, None), 'cloud_api_customer.create'),
  (({'rootobjectguid': '6f1c9a4e-2b7d-4c1e-9f3a-000000000001', 'jobguid': '', 'executionparams': {}},), 'cloud_api_customer.getObject'),
  (('é ü ß 中文 😀 \U0001F680', 'naïve café'), 'cloud_api_customer.find'),
  (('line1\r\nline2\rline3\nline4\ttab', '\r\n', '\n\n'), 'm.crlf'),
  (('<&>"\'', ']]>', '&lt;', '&#233;', 'a & b'), 'm.markup'),
  ((0, -1, 2**31 - 1, -2**31, 42), 'm.ints'),
  ((1.5, -0.25, 1e300, 1e-300, 0.1, -0.0, 2.0), 'm.doubles'),
  ((True, False), 'm.bools'),
  (({'a': [1, [2, {'b': None}]], '__proto__': {'polluted': 1}, 'constructor': 'x', 'toString': 1, '': 'empty key', '10': 'ten'},), 'm.nested'),
  (([], {}, '', [[]], [{}]), 'm.empty'),
  ((x.Binary(bytes(range(256)) * 3), b'', b'\x00'), 'm.binary'),
  ((datetime.datetime(2026, 11, 23, 18, 5, 1), x.DateTime('20261123T18:05:01'), datetime.datetime(1, 1, 1), datetime.datetime(9999, 12, 31, 23, 59, 59)), 'm.dates'),
  (('  spaced  ', ' ', '\t', ' \n '), 'm.whitespace'),
  ((), 'system.listMethods'),
  ((None, [None, 1, 'x', True, 1.5]), 'cloud_api_customer.removeCapacityAvailable'),
]`

describe('XML-RPC codec against Python xmlrpc.client', () => {
  it("parses what Python's dumps() writes exactly as Python's own loads() reads it", () => {
    const cases = py(
      PY_PRELUDE +
        String.raw`
out = []
for params, name in ` +
        PY_CALLS +
        String.raw`:
    for enc in ('utf-8', 'us-ascii'):
        # as ServerProxy sends it: characters the encoding lacks become character references
        xml = x.dumps(params, name, allow_none=True, encoding=enc).encode(enc, 'xmlcharrefreplace').decode(enc)
        p, m = x.loads(xml, use_builtin_types=True)
        out.append({'xml': xml, 'method': m, 'params': tag(list(p))})
print(json.dumps(out))
`,
    ) as { xml: string; method: string; params: unknown }[]
    assert.equal(cases.length, 30)
    // us-ascii makes Python write every non-ASCII character as a character reference.
    assert.ok(cases.some((c) => c.xml.includes('&#128512;') && c.xml.includes("encoding='us-ascii'")))
    for (const c of cases) {
      const got = parseMethodCall(c.xml)
      assert.equal(got.methodName, c.method)
      assert.deepEqual(tag(got.params), c.params, c.xml)
      const bytes = parseMethodCall(Buffer.from(c.xml, 'utf8'))
      assert.deepEqual(tag(bytes.params), c.params)
    }
  })

  it('writes responses that Python loads() reads back to the same values, CR and character references included', () => {
    const values: XmlRpcValue[] = [
      'x\r\ny\rz\n\ttab',
      '\r',
      '\r\n\r\n',
      'é &#233; 😀 \u{1F600} <&>"\' ]]> &lt;&amp;&gt;&quot;&apos;',
      '\u00a0\u2028\u2029\ufeff\ufffd\u{10FFFF}\ud7ff\ue000',
      '',
      '  ',
      0,
      -1,
      2147483647,
      -2147483648,
      2147483648,
      -2147483649,
      Number.MAX_SAFE_INTEGER,
      Number.MIN_SAFE_INTEGER,
      1.5,
      -0.1,
      -0,
      1e300,
      5e-324,
      1e21,
      true,
      false,
      null,
      new Date(Date.UTC(2026, 10, 23, 18, 5, 1)),
      new Date(Date.UTC(1999, 0, 2, 3, 4, 5, 678)),
      Buffer.from([0, 1, 2, 255]),
      Buffer.alloc(0),
      [],
      [1, 'two', [3, [4, null]], { five: 5 }],
      struct({}),
      { result: [{ guid: 'g', name: 'Acme <Corp>', status: 'ACTIVE' }], jobguid: '' },
      { ['__proto__']: 'own key', constructor: 1, 'with space': 'ok', 'é😀': '\r\n' },
    ]
    const got = py(
      PY_PRELUDE +
        String.raw`
out = []
for xml in json.load(sys.stdin):
    (p,), m = x.loads(xml, use_builtin_types=True)
    assert m is None
    out.append(tag(p, True))
print(json.dumps(out))
`,
      JSON.stringify(values.map((v) => encodeResponse(v))),
    ) as unknown[]
    assert.equal(got.length, values.length)
    values.forEach((v, i) => {
      // Milliseconds are not carried by dateTime.iso8601.
      const expected = v instanceof Date ? new Date(Math.floor(v.getTime() / 1000) * 1000) : v
      assert.deepEqual(got[i], tag(expected, true), `value ${i}`)
    })
  })

  it("Python's value → dumps → parseMethodCall → encodeResponse → Python loads is the same value", () => {
    const first = py(
      PY_PRELUDE +
        String.raw`
out = []
for params, name in ` +
        PY_CALLS +
        String.raw`:
    xml = x.dumps(params, name, allow_none=True)
    p, m = x.loads(xml, use_builtin_types=True)
    out.append({'xml': xml, 'expect': tag(list(p))})
print(json.dumps(out))
`,
    ) as { xml: string; expect: unknown }[]
    const encoded = first.map((c) => encodeResponse(parseMethodCall(c.xml).params))
    const back = py(
      PY_PRELUDE +
        String.raw`
print(json.dumps([tag(x.loads(xml, use_builtin_types=True)[0][0]) for xml in json.load(sys.stdin)]))
`,
      JSON.stringify(encoded),
    ) as unknown[]
    first.forEach((c, i) => assert.deepEqual(back[i], c.expect, c.xml))
  })

  it('writes faults that Python raises as xmlrpc.client.Fault', () => {
    const faults: [number, string][] = [
      [-32700, 'malformed XML: Unclosed tag'],
      [404, 'no customer <6f1c> & "friends" \'here\' \r\n é 😀'],
      [0, ''],
      [2 ** 40, 'a big code'],
      [1.5, 'not an integer code'],
      [NaN, 'NaN code'],
      [1, 'bad \u0000 \u0001 \ud800 \uffff chars'],
    ]
    const got = py(
      PY_PRELUDE +
        String.raw`
out = []
for xml in json.load(sys.stdin):
    try:
        x.loads(xml)
        out.append(None)
    except x.Fault as f:
        out.append([f.faultCode, f.faultString])
print(json.dumps(out))
`,
      JSON.stringify(faults.map(([c, s]) => encodeFault(c, s))),
    )
    assert.deepEqual(got, [
      [-32700, 'malformed XML: Unclosed tag'],
      [404, 'no customer <6f1c> & "friends" \'here\' \r\n é 😀'],
      [0, ''],
      [2 ** 40, 'a big code'],
      [-32500, 'not an integer code'],
      [-32500, 'NaN code'],
      [1, 'bad \ufffd \ufffd \ufffd \ufffd chars'],
    ])
  })
})

describe('XML-RPC codec type mapping', () => {
  it('reads the integer types, rejecting integers beyond the safe range', () => {
    assert.equal(one('<value><int>42</int></value>'), 42)
    assert.equal(one('<value><i4>-7</i4></value>'), -7)
    assert.equal(one('<value><i8>9007199254740991</i8></value>'), 9007199254740991)
    assert.equal(one('<value><i8>-9007199254740991</i8></value>'), -9007199254740991)
    assert.equal(one('<value><int> +12 </int></value>'), 12)
    assert.equal(one('<value><ex:i8>5</ex:i8></value>'), 5)
    refused(call('<param><value><i8>9007199254740992</i8></value></param>'), /outside the range of safe integers/)
    refused(call('<param><value><int>99999999999999999999999</int></value></param>'), /invalid <int>/)
    refused(call('<param><value><int>1.5</int></value></param>'), /invalid <int>/)
    refused(call('<param><value><int></int></value></param>'), /invalid <int>/)
    refused(call('<param><value><int>0x10</int></value></param>'), /invalid <int>/)
  })

  it('reads booleans 0 and 1 only', () => {
    assert.equal(one('<value><boolean>1</boolean></value>'), true)
    assert.equal(one('<value><boolean>0</boolean></value>'), false)
    for (const bad of ['true', '2', ' 1', '', 'yes']) refused(call(`<param><value><boolean>${bad}</boolean></value></param>`), /invalid <boolean>/)
  })

  it('reads strings and untyped values with whitespace kept exactly', () => {
    assert.equal(one('<value><string>  a  b  </string></value>'), '  a  b  ')
    assert.equal(one('<value>  untyped \t text </value>'), '  untyped \t text ')
    assert.equal(one('<value></value>'), '')
    assert.equal(one('<value/>'), '')
    assert.equal(one('<value><string/></value>'), '')
    assert.equal(one('<value><string></string></value>'), '')
    assert.equal(one('<value>\n  <string>x</string>\n</value>'), 'x')
    assert.equal(one('<value><string>a<!-- comment -->b</string></value>'), 'ab')
    assert.equal(one('<value><string><![CDATA[<&>&amp;]]></string></value>'), '<&>&amp;')
    assert.equal(one('<value><string>1e3</string></value>'), '1e3')
    assert.equal(one('<value><string>0012</string></value>'), '0012')
  })

  it('decodes character references and the five predefined entities, and only those', () => {
    assert.equal(one('<value><string>&#233;&#xE9;&#x1F600;&#128512;&lt;&amp;&gt;&quot;&apos;</string></value>'), 'éé😀😀<&>"\'')
    assert.equal(one('<value>&amp;lt;</value>'), '&lt;', 'decoded once, not twice')
    refused(call('<param><value>&nbsp;</value></param>'), /unknown entity &nbsp;/)
    refused(call('<param><value>&foo;</value></param>'), /unknown entity &foo;/)
    refused(call('<param><value>a & b</value></param>'), /does not start a valid reference/)
    refused(call('<param><value>&#0;</value></param>'), /character reference &#0; .*not allow/)
    refused(call('<param><value>&#x1;</value></param>'), /not allow/)
    refused(call('<param><value>&#xD800;</value></param>'), /not allow/)
    refused(call('<param><value>&#xFFFE;</value></param>'), /not allow/)
    refused(call('<param><value>&#x110000;</value></param>'), /not allow/)
  })

  it('normalises literal line ends as XML does, while &#13; stays a CR', () => {
    assert.equal(one('<value>a\r\nb\rc\nd</value>'), 'a\nb\nc\nd')
    assert.equal(one('<value>a&#13;&#10;b&#13;c&#9;d</value>'), 'a\r\nb\rc\td')
    assert.match(encodeResponse('a\r\nb'), /<string>a&#13;\nb<\/string>/)
    assert.deepEqual(parseMethodCall(call(encodeResponse('x\ry').match(/<param>.*<\/param>/s)![0])).params, ['x\ry'])
  })

  it('reads doubles, finite only', () => {
    assert.equal(one('<value><double>1.5</double></value>'), 1.5)
    assert.equal(one('<value><double>-1e-7</double></value>'), -1e-7)
    assert.equal(one('<value><double>3</double></value>'), 3)
    assert.equal(one('<value><double>.5</double></value>'), 0.5)
    refused(call('<param><value><double>inf</double></value></param>'), /invalid <double>/)
    refused(call('<param><value><double>nan</double></value></param>'), /invalid <double>/)
    refused(call('<param><value><double>1e400</double></value></param>'), /out of range/)
    refused(call('<param><value><double>1,5</double></value></param>'), /invalid <double>/)
  })

  it('reads dateTime.iso8601 as UTC, validating the fields', () => {
    const at = Date.UTC(2026, 10, 23, 18, 5, 1)
    assert.equal((one('<value><dateTime.iso8601>20261123T18:05:01</dateTime.iso8601></value>') as Date).getTime(), at)
    assert.equal((one('<value><dateTime.iso8601>2026-11-23T18:05:01Z</dateTime.iso8601></value>') as Date).getTime(), at)
    assert.equal((one('<value><dateTime.iso8601>2026-11-23T19:05:01+01:00</dateTime.iso8601></value>') as Date).getTime(), at)
    assert.equal((one('<value><dateTime.iso8601>20261123T180501</dateTime.iso8601></value>') as Date).getTime(), at)
    assert.equal((one('<value><dateTime.iso8601>20261123T18:05:01.250</dateTime.iso8601></value>') as Date).getTime(), at + 250)
    assert.equal((one('<value><dateTime.iso8601>00010101T00:00:00</dateTime.iso8601></value>') as Date).getUTCFullYear(), 1)
    for (const bad of ['20261323T18:05:01', '20260230T00:00:00', '20261123T24:00:00', '20261123T18:60:01', 'yesterday', '', '2026-11-23']) {
      refused(call(`<param><value><dateTime.iso8601>${bad}</dateTime.iso8601></value></param>`), /dateTime/)
    }
  })

  it('reads base64 (line breaks allowed) and refuses bad base64', () => {
    assert.deepEqual(one('<value><base64>\nAAEC\n/w==\n</base64></value>'), Buffer.from([0, 1, 2, 255]))
    assert.deepEqual(one('<value><base64></base64></value>'), Buffer.alloc(0))
    refused(call('<param><value><base64>AAE*</base64></value></param>'), /invalid <base64>/)
    refused(call('<param><value><base64>AAE</base64></value></param>'), /invalid <base64>/)
  })

  it('reads nil, arrays and structs; duplicate member names: the last wins', () => {
    assert.equal(one('<value><nil/></value>'), null)
    assert.equal(one('<value><ex:nil/></value>'), null)
    assert.deepEqual(one('<value><array><data/></array></value>'), [])
    assert.deepEqual(one('<value><array><data><value>a</value><value><int>1</int></value><value><nil/></value></data></array></value>'), ['a', 1, null])
    assert.deepEqual(one('<value><struct/></value>'), struct({}))
    assert.deepEqual(
      one('<value><struct><member><name>a</name><value>1</value></member><member><name>a</name><value>2</value></member></struct></value>'),
      struct({ a: '2' }),
    )
    assert.deepEqual(
      one('<value><struct>\n <member>\n  <name>k</name>\n  <value><array><data>\n<value><boolean>1</boolean></value>\n</data></array></value>\n </member>\n</struct></value>'),
      struct({ k: [true] }),
    )
  })

  it('reads a call without <params>, and keeps params in order', () => {
    assert.deepEqual(parseMethodCall('<methodCall><methodName>system.listMethods</methodName></methodCall>'), { methodName: 'system.listMethods', params: [] })
    assert.deepEqual(parseMethodCall('<methodCall><methodName>a</methodName><params/></methodCall>').params, [])
    const many = Array.from({ length: 64 }, (_, i) => `<param><value><int>${i}</int></value></param>`).join('\n')
    assert.deepEqual(parseMethodCall(call(many)).params, Array.from({ length: 64 }, (_, i) => i))
  })

  it('accepts method names of [A-Za-z0-9_.:/], at most 200 characters', () => {
    for (const ok of ['cloud_api_customer.create', 'a', 'ns:m/x.y_z', 'x'.repeat(200)]) {
      assert.equal(parseMethodCall(call('', ok)).methodName, ok)
    }
    for (const bad of ['', 'x'.repeat(201), 'a b', ' a', 'a\n', 'é', 'a;b', '&lt;x&gt;', 'a-b']) refused(call('', bad), /invalid method name/)
    refused('<methodCall><params/></methodCall>', /must start with <methodName>/)
    refused('<methodCall><methodName><b>x</b></methodName></methodCall>', /only text/)
  })
})

describe('XML-RPC codec refusals', () => {
  const refusals: [string, string | Uint8Array, RegExp][] = [
    ['empty body', '', /empty request body/],
    ['whitespace body', ' \n', /empty request body/],
    ['not XML', 'hello', /malformed XML|no root element|unexpected text/],
    ['JSON', '{"methodName":"x"}', /malformed XML|unexpected text/],
    ['unclosed tag', '<methodCall><methodName>a</methodName>', /malformed XML/],
    ['mismatched tags', '<methodCall><methodName>a</params></methodCall>', /malformed XML/],
    ['trailing garbage', '<methodCall><methodName>a</methodName></methodCall>garbage', /malformed XML/],
    ['trailing element', '<methodCall><methodName>a</methodName></methodCall><methodCall/>', /more than one root|malformed XML/],
    ['leading text', 'x<methodCall><methodName>a</methodName></methodCall>', /malformed XML|unexpected text/],
    ['raw < in text', call('<param><value>a < b</value></param>'), /malformed XML/],
    ['a methodResponse', '<methodResponse><params/></methodResponse>', /expected a <methodCall> document, not <methodResponse>/],
    ['unknown type', call('<param><value><integer>1</integer></value></param>'), /unknown XML-RPC type <integer>/],
    ['unknown element in params', call('<foo/>'), /unexpected <foo> in <params>/],
    ['unknown element in methodCall', '<methodCall><methodName>a</methodName><params/><extra/></methodCall>', /unexpected <extra>/],
    ['param without value', call('<param></param>'), /exactly one <value>/],
    ['param with two values', call('<param><value>a</value><value>b</value></param>'), /exactly one <value>/],
    ['value with two elements', call('<param><value><int>1</int><int>2</int></value></param>'), /more than one element/],
    ['value mixing text and element', call('<param><value>x<int>1</int></value></param>'), /mixes text/],
    ['text where a struct is expected', call('<param><value><struct>text</struct></value></param>'), /unexpected text "text" in <struct>/],
    ['member without value', call('<param><value><struct><member><name>a</name></member></struct></value></param>'), /<name> then a <value>/],
    ['member value before name', call('<param><value><struct><member><value>1</value><name>a</name></member></struct></value></param>'), /<name> then a <value>/],
    ['array without data', call('<param><value><array><value>1</value></array></value></param>'), /exactly one <data>/],
    ['element inside string', call('<param><value><string><b>x</b></string></value></param>'), /only text/],
    ['non-empty nil', call('<param><value><nil>x</nil></value></param>'), /must be empty/],
    ['NUL character', call('<param><value>a\u0000b</value></param>'), /U\+0000/],
    ['C0 control', call('<param><value>a\u0001b</value></param>'), /U\+0001/],
    ['lone surrogate', call('<param><value>a\ud800b</value></param>'), /U\+D800/],
    ['U+FFFF', call('<param><value>a\uffffb</value></param>'), /U\+FFFF/],
    ['U+FFFD in a string body', call('<param><value>a\ufffdb</value></param>'), /U\+FFFD \(the body was not valid UTF-8\)/],
    ['invalid UTF-8 bytes', Buffer.concat([Buffer.from(call('<param><value>')), Buffer.from([0xc3, 0x28]), Buffer.from('</value></param></params></methodCall>')]), /not valid UTF-8/],
    ['latin-1 declaration', '<?xml version="1.0" encoding="ISO-8859-1"?><methodCall><methodName>a</methodName></methodCall>', /unsupported encoding/],
    ['broken declaration', '<?xml versio="1.0"?><methodCall><methodName>a</methodName></methodCall>', /malformed XML declaration/],
    ['processing instruction', '<?xml version="1.0"?><?php echo 1 ?><methodCall><methodName>a</methodName></methodCall>', /processing instructions/],
    ['__proto__ element', call('<param><value><__proto__>1</__proto__></value></param>'), /malformed XML|unknown XML-RPC type/],
    ['65 params', call(Array.from({ length: 65 }, () => '<param><value>x</value></param>').join('')), /more than 64 params/],
    [
      'a comment opener hidden in an attribute value',
      '<methodCall a="<!--"><!DOCTYPE m [<!ENTITY x "pwned">]><methodName>a</methodName><params><param><value>&x;</value></param></params></methodCall><!-- -->',
      /"<" inside an attribute value/,
    ],
    [
      'a DOCTYPE after a processing instruction holding a comment opener',
      '<?pi <!-- ?><!DOCTYPE m [<!ENTITY x "pwned">]><methodCall><methodName>a</methodName><params><param><value>&x;</value></param></params></methodCall><!-- -->',
      /DOCTYPE/,
    ],
    ['a DOCTYPE inside the root element', '<methodCall><!DOCTYPE m [<!ENTITY x "y">]><methodName>a</methodName></methodCall>', /DOCTYPE/],
    ['an unknown entity in an attribute value', '<methodCall a="&x;"><methodName>a</methodName></methodCall>', /unknown entity &x;/],
    ['an unterminated comment', '<methodCall><methodName>a</methodName><!-- </methodCall>', /unterminated comment/],
    ['an unterminated tag', '<methodCall><methodName>a</methodName></methodCall', /unterminated tag/],
  ]
  for (const [name, xml, pattern] of refusals) {
    it(`refuses ${name}`, () => refused(xml, pattern))
  }

  it('ignores attributes such as the Apache extensions namespace declaration', () => {
    const xml =
      '<methodCall xmlns:ex="http://ws.apache.org/xmlrpc/namespaces/extensions" note="a &amp; b &#65; >"><methodName>a</methodName>' +
      '<params><param><value><ex:nil/></value></param><param><value><ex:i8>8</ex:i8></value></param></params></methodCall>'
    assert.deepEqual(parseMethodCall(xml).params, [null, 8])
  })

  it('decodes a U+FFFD that arrives as real UTF-8 bytes', () => {
    assert.deepEqual(parseMethodCall(Buffer.from(call('<param><value>a\ufffdb</value></param>'))).params, ['a\ufffdb'])
  })

  it('decodes a plain Uint8Array as strict UTF-8: invalid bytes refused, a genuine U+FFFD kept', () => {
    const bytes = (...parts: (string | number[])[]) =>
      new Uint8Array(Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p)))))
    const head = call('<param><value>').replace('</params></methodCall>', '')
    const tail = '</value></param></params></methodCall>'
    assert.deepEqual(parseMethodCall(bytes(head, [0xef, 0xbf, 0xbd], tail)).params, ['\ufffd'])
    assert.deepEqual(parseMethodCall(bytes(head, 'é 😀', tail)).params, ['é 😀'])
    // a stray continuation byte, a truncated sequence, an overlong '/', an encoded surrogate, past U+10FFFF
    for (const bad of [[0x80], [0xc3], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xff]]) {
      refused(bytes(head, bad, tail), /not valid UTF-8/)
    }
    // Characters XML 1.0 does not allow are refused from bytes too, and named.
    refused(bytes(head, [0x01], tail), /character U\+0001, which XML 1.0 does not allow/)
    refused(bytes(head, [0xef, 0xbf, 0xbf], tail), /character U\+FFFF/)
  })

  it('treats & in comments and CDATA sections as text, not counted as references', () => {
    assert.deepEqual(parseMethodCall(call('<param><value><![CDATA[a & b &x; &#0;]]></value></param>')).params, ['a & b &x; &#0;'])
    assert.deepEqual(parseMethodCall(call('<param><value>a<!-- & &x; -->b</value></param>')).params, ['ab'])
    const many = call(`<param><value><![CDATA[${'&'.repeat(50)}]]>&amp;</value></param>`)
    assert.deepEqual(parseMethodCall(many, { maxEntityRefs: 1 }).params, ['&'.repeat(51)])
    refused(call(`<param><value><![CDATA[${'&'.repeat(50)}]]>&amp;&amp;</value></param>`), /more than 1 entity/, { maxEntityRefs: 1 })
  })
})

describe('XML-RPC codec limits and hostile input', () => {
  it('has the documented default limits', () => {
    assert.deepEqual({ ...DEFAULT_LIMITS }, { maxBytes: 1024 * 1024, maxDepth: 32, maxEntityRefs: 10000, maxParams: 64, maxElements: 50000, maxAttributes: 32 })
    assert.ok(Object.isFrozen(DEFAULT_LIMITS))
  })

  it('refuses more elements than maxElements, counted as they open, and accepts exactly maxElements', () => {
    // 4 elements for the envelope (methodCall, methodName, params, param), value + array + data,
    // then one <value/> per item.
    const items = (n: number) => call(`<param><value><array><data>${'<value/>'.repeat(n)}</data></array></value></param>`)
    assert.equal((parseMethodCall(items(93), { maxElements: 100 }).params[0] as unknown[]).length, 93)
    refused(items(94), /more than 100 elements/, { maxElements: 100 })
    // The default: 50,000, well under what 1 MiB of <value/> would otherwise hold.
    assert.equal((parseMethodCall(items(49_993)).params[0] as unknown[]).length, 49_993)
    const t = performance.now()
    refused(items(130_000), /more than 50000 elements/)
    assert.ok(performance.now() - t < 1000, 'refused in bounded time')
  })

  it('refuses more attributes on one element than maxAttributes, which the grammar otherwise ignores', () => {
    const attrs = (n: number) => Array.from({ length: n }, (_, i) => ` a${i}="${i}"`).join('')
    assert.equal(parseMethodCall(`<methodCall${attrs(32)}><methodName>a</methodName></methodCall>`).methodName, 'a')
    refused(`<methodCall${attrs(33)}><methodName>a</methodName></methodCall>`, /more than 32 attributes on <methodCall>/)
    refused(call(`<param><value${attrs(3)}>x</value></param>`), /more than 2 attributes on <value>/, { maxAttributes: 2 })
    const t = performance.now()
    refused(`<methodCall${attrs(100_000)}><methodName>a</methodName></methodCall>`, /more than 32 attributes/, { maxBytes: 4 << 20 })
    assert.ok(performance.now() - t < 1000, 'refused in bounded time')
  })

  it('refuses a billion-laughs DOCTYPE at once, expanding nothing', () => {
    const lol =
      '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">' +
      Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i || ''};`.repeat(10)}">`).join('') +
      ']>' +
      call('<param><value>&lol9;</value></param>').replace('<?xml version="1.0"?>', '')
    const t = performance.now()
    refused(lol, /DOCTYPE declarations are not allowed/)
    assert.ok(performance.now() - t < 50, 'refused quickly')
  })

  it('refuses a DOCTYPE with an internal subset, never expanding its entities', () => {
    const doctype = '<!DOCTYPE methodCall [<!ENTITY x "pwned"><!ENTITY y SYSTEM "file:///etc/passwd">]>'
    const uses = [
      '<methodCall><methodName>a</methodName><params><param><value>&x;</value></param></params></methodCall>',
      '<methodCall><methodName>a</methodName><params><param><value><string>&x;&y;</string></value></param></params></methodCall>',
      '<methodCall note="&x;"><methodName>a</methodName></methodCall>',
      '<methodCall><methodName>a</methodName></methodCall>',
    ]
    for (const body of uses) {
      for (const xml of [doctype + body, `<?xml version="1.0"?>\n${doctype}\n${body}`, `<?xml version="1.0"?><!-- c -->${doctype}${body}`]) {
        for (const input of [xml, Buffer.from(xml)]) {
          assert.throws(
            () => parseMethodCall(input),
            (e: unknown) => e instanceof XmlRpcCodecError && /DOCTYPE declarations are not allowed/.test(e.message) && !e.message.includes('pwned'),
            xml,
          )
        }
      }
    }
    // Without the DOCTYPE the reference is simply unknown.
    refused(uses[0]!, /unknown entity &x;/)
  })

  it('refuses "<" in attribute values, so no comment or DOCTYPE can hide in one', () => {
    refused('<methodCall a="<!--"><methodName>a</methodName></methodCall><!-- -->', /"<" inside an attribute value/)
    refused("<methodCall a='<!DOCTYPE x'><methodName>a</methodName></methodCall>", /"<" inside an attribute value/)
    refused(call('<param><value a="<"><string>x</string></value></param>'), /"<" inside an attribute value/)
    refused(Buffer.from('<methodCall a="<!--"><methodName>a</methodName></methodCall><!-- -->'), /"<" inside an attribute value/)
    // '>' in an attribute value is allowed, and the value ignored.
    assert.equal(parseMethodCall('<methodCall a="-->"><methodName>a</methodName></methodCall>').methodName, 'a')
  })

  it('refuses external entities and any other markup declaration', () => {
    refused(
      '<?xml version="1.0"?><!DOCTYPE m [<!ENTITY x SYSTEM "file:///etc/passwd">]><methodCall><methodName>a</methodName><params><param><value>&x;</value></param></params></methodCall>',
      /DOCTYPE/,
    )
    refused('<!doctype methodCall SYSTEM "http://example.invalid/x.dtd"><methodCall><methodName>a</methodName></methodCall>', /DOCTYPE/)
    refused('<methodCall><!ENTITY x "y"><methodName>a</methodName></methodCall>', /entity declarations are not allowed/)
    refused('<methodCall><!ELEMENT x ANY><methodName>a</methodName></methodCall>', /markup declarations/)
    refused(call('<param><value>&x;</value></param>'), /unknown entity &x;/)
  })

  it('refuses nesting deeper than maxDepth, and accepts exactly maxDepth', () => {
    const nest = (n: number, leaf = '<value>x</value>') => {
      let v = leaf
      for (let i = 0; i < n; i++) v = i % 2 ? `<value><array><data>${v}</data></array></value>` : `<value><struct><member><name>k</name>${v}</member></struct></value>`
      return call(`<param>${v}</param>`)
    }
    assert.doesNotThrow(() => parseMethodCall(nest(32)))
    refused(nest(33), /nest deeper than 32 levels/)
    assert.doesNotThrow(() => parseMethodCall(nest(3), { maxDepth: 3 }))
    refused(nest(4), /nest deeper than 3 levels/, { maxDepth: 3 })
    // Deep generic tags are stopped by the parser's tag-depth cap, quickly.
    const deep = '<methodCall><methodName>a</methodName><params><param><value>' + '<x>'.repeat(100_000) + '</x>'.repeat(100_000) + '</value></param></params></methodCall>'
    const t = performance.now()
    refused(deep, /nest deeper than 32 levels|unknown XML-RPC type/)
    const deepArrays = '<methodCall><methodName>a</methodName><params><param>' + '<value><array><data>'.repeat(20_000) + '</data></array></value>'.repeat(20_000) + '</param></params></methodCall>'
    refused(deepArrays, /nest deeper than 32 levels/)
    assert.ok(performance.now() - t < 2000, 'refused in bounded time')
  })

  it('refuses more entity or character references than maxEntityRefs', () => {
    assert.equal(one(`<value>${'&lt;'.repeat(10000)}</value>`), '<'.repeat(10000))
    refused(call(`<param><value>${'&lt;'.repeat(10001)}</value></param>`), /more than 10000 entity or character references/)
    refused(call(`<param><value>${'&#65;'.repeat(11)}</value></param>`), /more than 10 entity/, { maxEntityRefs: 10 })
  })

  it('refuses a body larger than maxBytes, counted in UTF-8 bytes', () => {
    const big = call(`<param><value>${'x'.repeat(DEFAULT_LIMITS.maxBytes)}</value></param>`)
    refused(big, /larger than 1048576 bytes/)
    refused(Buffer.from(big), /larger than 1048576 bytes/)
    // 400 characters but 1200 bytes
    const wide = call(`<param><value>${'€'.repeat(400)}</value></param>`)
    assert.doesNotThrow(() => parseMethodCall(wide, { maxBytes: 2000 }))
    refused(wide, /larger than 1000 bytes/, { maxBytes: 1000 })
    refused(Buffer.from(wide), /larger than 1000 bytes/, { maxBytes: 1000 })
    // Just under the default limit is accepted.
    const fits = call(`<param><value>${'y'.repeat(DEFAULT_LIMITS.maxBytes - 200)}</value></param>`)
    assert.equal((parseMethodCall(fits).params[0] as string).length, DEFAULT_LIMITS.maxBytes - 200)
  })

  it('builds structs that a __proto__ member cannot pollute', () => {
    const xml = call(
      '<param><value><struct>' +
        '<member><name>__proto__</name><value><struct><member><name>polluted</name><value>yes</value></member></struct></value></member>' +
        '<member><name>constructor</name><value><struct><member><name>prototype</name><value><struct><member><name>polluted</name><value>yes</value></member></struct></value></member></struct></value></member>' +
        '</struct></value></param>',
    )
    const [s] = parseMethodCall(xml).params as [Record<string, XmlRpcValue>]
    assert.equal(Object.getPrototypeOf(s), null)
    assert.deepEqual(Object.keys(s), ['__proto__', 'constructor'])
    assert.deepEqual({ ...(s['__proto__'] as object) }, { polluted: 'yes' })
    assert.equal(({} as Record<string, unknown>).polluted, undefined)
    assert.equal((Object.prototype as Record<string, unknown>).polluted, undefined)
    // and it encodes back as an ordinary member
    assert.match(encodeResponse(s), /<member><name>__proto__<\/name><value><struct><member><name>polluted<\/name>/)
  })
})

describe('XML-RPC codec encoding', () => {
  it('writes the full methodResponse envelope and picks int, i8 or double', () => {
    assert.equal(
      encodeResponse(1),
      '<?xml version="1.0" encoding="UTF-8"?>\n<methodResponse><params><param><value><int>1</int></value></param></params></methodResponse>\n',
    )
    assert.match(encodeResponse(2147483648), /<i8>2147483648<\/i8>/)
    assert.match(encodeResponse(-2147483648), /<int>-2147483648<\/int>/)
    assert.match(encodeResponse(1.25), /<double>1.25<\/double>/)
    assert.match(encodeResponse(2 ** 60), /<double>1152921504606847000<\/double>/)
    const early = new Date(Date.UTC(2000, 0, 2, 3, 4, 5))
    early.setUTCFullYear(5)
    assert.match(encodeResponse(early), /<dateTime.iso8601>00050102T03:04:05<\/dateTime.iso8601>/)
    assert.match(encodeResponse('<a & b>'), /<string>&lt;a &amp; b&gt;<\/string>/)
  })

  it('leaves out undefined struct members and writes other undefineds as nil', () => {
    const v = { a: undefined, b: [undefined], c: 1 } as unknown as XmlRpcValue
    assert.equal(encodeResponse(v).includes('<name>a</name>'), false)
    assert.match(encodeResponse(v), /<name>b<\/name><value><array><data><value><nil\/><\/value><\/data>/)
    assert.match(encodeResponse(undefined as unknown as XmlRpcValue), /<param><value><nil\/><\/value><\/param>/)
  })

  it('refuses what XML-RPC or XML cannot carry, with XmlRpcCodecError', () => {
    const cycle: Record<string, unknown> = {}
    cycle.self = cycle
    const bad: [unknown, RegExp][] = [
      [NaN, /no NaN or infinity/],
      [Infinity, /no NaN or infinity/],
      [new Date(NaN), /invalid Date/],
      [new Date(Date.UTC(10000, 0, 1)), /years 1-9999/],
      [cycle, /deeper than 100 levels/],
      [new Map(), /cannot encode a Map object/],
      [10n, /type bigint/],
      [() => 1, /type function/],
      [Symbol('s'), /type symbol/],
    ]
    for (const [v, pattern] of bad) {
      assert.throws(
        () => encodeResponse(v as XmlRpcValue),
        (e: unknown) => e instanceof XmlRpcCodecError && pattern.test(e.message),
        String(pattern),
      )
    }
  })

  it('writes characters XML cannot carry as U+FFFD, so that every answer parses', () => {
    const v = { 'bad\u0002key': ['a\u0001b', 'a\u0000b', '\ud800', '\uffff', 'deep \u0008', 'ok\t\n\r😀'] } as XmlRpcValue
    const xml = encodeResponse(v)
    const back = py(
      `${PY_PRELUDE}\nv, _ = x.loads(sys.stdin.read())\nprint(json.dumps(v[0]))`,
      xml,
    )
    assert.deepEqual(back, { 'bad\ufffdkey': ['a\ufffdb', 'a\ufffdb', '\ufffd', '\ufffd', 'deep \ufffd', 'ok\t\n\r😀'] })
  })

  it('encodes any Uint8Array as base64', () => {
    assert.match(encodeResponse(new Uint8Array([1, 2, 3]) as unknown as XmlRpcValue), /<base64>AQID<\/base64>/)
  })
})

/** What parseMethodCall answers for `xml`: the call, or the refusal's message. */
function outcome(xml: string | Uint8Array): unknown {
  try {
    const r = parseMethodCall(xml)
    return { ok: tag(r.params), method: r.methodName }
  } catch (e) {
    if (!(e instanceof XmlRpcCodecError)) throw e
    return { refused: e.message }
  }
}

function withReader<T>(fast: boolean, fn: () => T): T {
  setFastPath(fast)
  try {
    return fn()
  } finally {
    setFastPath(true)
  }
}

/** A small deterministic PRNG (mulberry32), so that a failure can be replayed. */
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

describe("the codec's fast reader and saxes", () => {
  const sources = [
    `<?xml version='1.0'?>\n<methodCall>\n<methodName>cloud_api_customer.list</methodName>\n<params>\n<param>\n<value><string>Acme</string></value>\n</param>\n<param>\n<value><struct>\n<member>\n<name>n</name>\n<value><string>x</string></value>\n</member>\n</struct></value>\n</param>\n</params>\n</methodCall>\n`,
    `<?xml version='1.0'?>\n<methodCall>\n<methodName>cloud_api_customer.list</methodName>\n<params>\n<param>\n<value><string>0193a0b0-1234-7abc-8def-0123456789ab</string></value>\n</param>\n</params>\n</methodCall>\n`,
    call('<param><value><struct><member><name>a&amp;b</name><value><array><data><value><i4>-7</i4></value><value>t &lt;&#233;&#x1F600;&gt;</value><value/><value><nil/></value></data></array></value></member><member><name>z</name><value><boolean>1</boolean></value></member></struct></value></param><param><value><double>1.5e3</double></value></param><param><value><dateTime.iso8601>20261123T18:05:01</dateTime.iso8601></value></param><param><value><base64>AAEC</base64></value></param>'),
    call('<param><value><ex:nil/></value></param><param><value><string></string></value></param><param><value>  spaced  </value></param>', 'm.x'),
    '<methodCall><methodName>system.listMethods</methodName></methodCall>',
  ]

  it("reads what Python's dumps() writes without saxes, to the same values", () => {
    const docs = py(
      PY_PRELUDE +
        String.raw`
print(json.dumps([x.dumps(params, name, allow_none=True) for params, name in ` +
        PY_CALLS +
        String.raw`]))
`,
    ) as string[]
    let fast = 0
    for (const xml of [...docs, ...sources]) {
      const slow = withReader(false, () => outcome(xml))
      assert.deepEqual(outcome(xml), slow, xml)
      assert.equal(outcome(Buffer.from(xml)) !== undefined, true)
      // Only a CR (which XML reads as LF) sends a document of this kind to saxes.
      if (!xml.includes('\r')) {
        assert.equal(lastReaderUsed(), 'fast', xml)
        fast++
      }
    }
    assert.ok(fast >= docs.length + sources.length - 1)
  })

  it('answers exactly what saxes answers for mutated documents, well formed or not', () => {
    const rnd = prng(20261202)
    const pieces = ['<', '>', '/', '&', ';', '#', 'x', ']]>', '<!--c-->', '<![CDATA[&]]>', '<?pi?>', '<!DOCTYPE a>', ' ', '\t', '\n', '\r', '\u0001', '\uFFFE', '\uD800', 'é', '😀', '"', "'", '=', 'a="1"', '&amp;', '&lt;', '&#0;', '&#65;', '&#x10FFFF;', '&bogus;', '<value>', '</value>', '<nil/>', '<int>', '</int>', '<struct>', '</struct>', '<data>', '<member>', 'methodCall', '<methodCall>', '</methodCall>']
    const benign = [' ', '\n', '\t', 'é', '😀', '&amp;', '&lt;', '&gt;', '&quot;', '&apos;', '&#65;', '&#x1F600;', 'x', '>', ']]', '-1', '0', '1']
    let refused = 0
    let accepted = 0
    const n = 6000
    for (let k = 0; k < n; k++) {
      let doc = sources[Math.floor(rnd() * sources.length)]!
      const edits = 1 + Math.floor(rnd() * 3)
      // Half the documents get only edits that often leave them valid: text where text may be.
      const gentle = rnd() < 0.5
      for (let e = 0; e < edits; e++) {
        const at = Math.floor(rnd() * (doc.length + 1))
        const r = rnd()
        if (gentle) {
          // Text into a string or a member name, or whitespace after a tag.
          const opener = rnd() < 0.5 ? (rnd() < 0.5 ? '<string>' : '<name>') : '>'
          const found = doc.indexOf(opener, at)
          const where = found === -1 ? doc.indexOf(opener) : found
          if (where === -1) continue
          const what = opener === '>' ? [' ', '\n', '\t'][Math.floor(rnd() * 3)]! : benign[Math.floor(rnd() * benign.length)]!
          doc = doc.slice(0, where + opener.length) + what + doc.slice(where + opener.length)
        } else if (r < 0.4) doc = doc.slice(0, at) + pieces[Math.floor(rnd() * pieces.length)] + doc.slice(at)
        else if (r < 0.7) doc = doc.slice(0, at) + doc.slice(at + 1 + Math.floor(rnd() * 4))
        else {
          const from = Math.floor(rnd() * doc.length)
          doc = doc.slice(0, at) + doc.slice(from, from + Math.floor(rnd() * 12)) + doc.slice(at)
        }
      }
      const slow = withReader(false, () => outcome(doc))
      const fast = outcome(doc)
      assert.deepEqual(fast, slow, `document ${k}: ${JSON.stringify(doc)}`)
      if ((slow as { refused?: string }).refused !== undefined) refused++
      else accepted++
    }
    // Both kinds must be well represented, or the comparison proves little.
    assert.ok(refused > n / 10, `${refused} refused`)
    assert.ok(accepted > n / 10, `${accepted} accepted`)
  })
})
