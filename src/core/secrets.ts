/**
 * High-entropy tokens (API key secrets, session ids): generated here, stored only as SHA-256
 * digests (they are random, so a fast hash is enough), compared in constant time.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'

/** SHA-256 of a token, hex. */
export function digest(token: string): string {
  return createHash('sha256').update(token).digest('hex')
}

/** Constant-time equality of two hex digests. */
export function sameDigest(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex')
  const y = Buffer.from(b, 'hex')
  return x.length === y.length && timingSafeEqual(x, y)
}

/** A new key id: 16 hex characters, fixed width so that tokens split without ambiguity. */
export function newKeyId(): string {
  return randomBytes(8).toString('hex')
}

/** A new secret of 32 random bytes, base64url. */
export function newSecret(): string {
  return randomBytes(32).toString('base64url')
}
