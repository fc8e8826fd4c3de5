import { it } from 'node:test'
import assert from 'node:assert/strict'
import { sniffImage } from './images.js'

const SIG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]
const u32 = (n: number) => [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]
/** A chunk with a zero checksum: the sniffer reads the structure, not the checksums. */
const chunk = (type: string, data: number[]) => [...u32(data.length), ...Buffer.from(type, 'latin1'), ...data, 0, 0, 0, 0]
const png = (w: number, h: number, ...rest: number[][]) => Uint8Array.from([...SIG, ...chunk('IHDR', [...u32(w), ...u32(h), 8, 2, 0, 0, 0]), ...rest.flat(), ...chunk('IEND', [])])
const seg = (marker: number, data: number[]) => [0xff, marker, (data.length + 2) >> 8, (data.length + 2) & 0xff, ...data]
const jpeg = (w: number, h: number, end = [0xff, 0xd9]) =>
  Uint8Array.from([0xff, 0xd8, ...seg(0xe0, [0x4a, 0x46, 0x49, 0x46, 0]), ...seg(0xc0, [8, h >> 8, h & 0xff, w >> 8, w & 0xff, 1, 1, 0x11, 0]), ...seg(0xda, [1, 1, 0, 0, 63, 0]), 0x3f, ...end])

it('tells a whole PNG or JPEG by its bytes, with its size in pixels', () => {
  assert.deepEqual(sniffImage(png(3, 2, chunk('IDAT', [1, 2, 3]))), { ok: true, contentType: 'image/png', width: 3, height: 2 })
  assert.deepEqual(sniffImage(jpeg(640, 480)), { ok: true, contentType: 'image/jpeg', width: 640, height: 480 })
})

it('refuses other formats, images cut short or with something behind their end, and sizes out of bounds', () => {
  const refused = (b: Uint8Array) => !sniffImage(b).ok
  assert.ok(refused(Buffer.from('GIF89a\x01\x00\x01\x00')))
  assert.ok(refused(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>')))
  assert.ok(refused(new Uint8Array(0)))
  const whole = png(1, 1)
  assert.ok(refused(whole.subarray(0, whole.length - 1)), 'a PNG without its whole IEND')
  assert.ok(refused(Uint8Array.from([...whole, 0x3c])), 'a PNG with a byte after IEND')
  assert.ok(refused(Uint8Array.from([...SIG, ...chunk('IDAT', [1]), ...chunk('IEND', [])])), 'a PNG whose first chunk is not IHDR')
  assert.ok(refused(Uint8Array.from([...SIG, ...u32(0x7fffffff), ...Buffer.from('IHDR')])), 'a chunk longer than the file')
  assert.ok(refused(png(0, 1)) && refused(png(4097, 1)) && !refused(png(4096, 4096)))
  assert.ok(refused(jpeg(1, 1, [])), 'a JPEG without EOI')
  assert.ok(refused(jpeg(1, 1, [0xff, 0xd9, 0x3c])), 'a JPEG with a byte after EOI')
  assert.ok(refused(Uint8Array.from([0xff, 0xd8, 0xff, ...seg(0xda, [1, 1, 0, 0, 63, 0]).slice(1), 0xff, 0xd9])), 'a scan before any frame header')
  assert.ok(refused(jpeg(5000, 10)))
})
