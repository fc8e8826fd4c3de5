/**
 * Avatar pictures: what Clientele accepts as one (PNG or JPEG, bounded in bytes and pixels) and
 * how it tells them apart — by their bytes, never by a name or a declared content type.
 */

/** The largest avatar accepted, in bytes (256 KiB). */
export const MAX_AVATAR_BYTES = 256 * 1024

/** The largest width and height of an avatar, in pixels. */
export const MAX_AVATAR_PIXELS = 4096

/** The content types an avatar may have. */
export const AVATAR_TYPES = ['image/png', 'image/jpeg'] as const
export type AvatarType = (typeof AVATAR_TYPES)[number]

/** What `sniffImage` makes of some bytes. */
export type SniffedImage = { ok: true; contentType: AvatarType; width: number; height: number } | { ok: false; reason: string }

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]

/**
 * Tells whether `bytes` are a whole PNG or JPEG file, and its size in pixels.
 *
 * A PNG must start with the signature and an `IHDR` chunk, and its chunks must follow each other
 * to an `IEND` that ends the file. A JPEG must start with SOI, have a frame header (SOF) before
 * its first scan, and end with EOI. So another format behind a PNG or JPEG's first bytes (an
 * HTML page, an SVG) is refused, as is anything after the image's end. Checksums and the
 * compressed data are not checked: a browser that shows the picture decodes it. Width and height
 * must be 1 to `MAX_AVATAR_PIXELS`.
 */
export function sniffImage(bytes: Uint8Array): SniffedImage {
  if (PNG_SIGNATURE.every((b, i) => bytes[i] === b)) return sniffPng(bytes)
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return sniffJpeg(bytes)
  return { ok: false, reason: 'the file is neither a PNG nor a JPEG image' }
}

function u32(b: Uint8Array, at: number): number {
  return ((b[at]! << 24) >>> 0) + (b[at + 1]! << 16) + (b[at + 2]! << 8) + b[at + 3]!
}

function u16(b: Uint8Array, at: number): number {
  return (b[at]! << 8) + b[at + 1]!
}

function sized(contentType: AvatarType, width: number, height: number): SniffedImage {
  if (width < 1 || height < 1 || width > MAX_AVATAR_PIXELS || height > MAX_AVATAR_PIXELS) {
    return { ok: false, reason: `the image is ${width}×${height} pixels; at most ${MAX_AVATAR_PIXELS}×${MAX_AVATAR_PIXELS} are accepted` }
  }
  return { ok: true, contentType, width, height }
}

function sniffPng(b: Uint8Array): SniffedImage {
  const broken: SniffedImage = { ok: false, reason: 'the file starts as a PNG image but is not a whole one' }
  let at = 8
  let width = 0
  let height = 0
  let first = true
  while (at + 12 <= b.length) {
    const length = u32(b, at)
    const type = String.fromCharCode(b[at + 4]!, b[at + 5]!, b[at + 6]!, b[at + 7]!)
    if (!/^[A-Za-z]{4}$/.test(type) || length > b.length - at - 12) return broken
    if (first) {
      if (type !== 'IHDR' || length !== 13) return broken
      width = u32(b, at + 8)
      height = u32(b, at + 12)
      first = false
    }
    at += 12 + length
    if (type === 'IEND') return at === b.length ? sized('image/png', width, height) : broken
  }
  return broken
}

/** SOF markers (frame headers) carry the image's size; C4 (DHT), C8 (JPG) and CC (DAC) are not frames. */
function isFrameHeader(marker: number): boolean {
  return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc
}

function sniffJpeg(b: Uint8Array): SniffedImage {
  const broken: SniffedImage = { ok: false, reason: 'the file starts as a JPEG image but is not a whole one' }
  let at = 2
  let width = -1
  let height = -1
  while (at < b.length) {
    if (b[at] !== 0xff) return broken
    while (b[at] === 0xff && at < b.length) at++
    const marker = b[at]
    at++
    if (marker === undefined) return broken
    if ((marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) continue
    if (marker === 0xd8 || marker === 0xd9) return broken
    if (at + 2 > b.length) return broken
    const length = u16(b, at)
    if (length < 2 || at + length > b.length) return broken
    if (isFrameHeader(marker)) {
      if (length < 7) return broken
      height = u16(b, at + 3)
      width = u16(b, at + 5)
    }
    if (marker === 0xda) {
      // The first scan: what follows is entropy-coded data (and maybe more scans) up to EOI.
      if (width < 0) return broken
      return b.length >= at + length + 2 && b[b.length - 2] === 0xff && b[b.length - 1] === 0xd9 ? sized('image/jpeg', width, height) : broken
    }
    at += length
  }
  return broken
}
