/**
 * Password and PIN hashing: argon2id at OWASP's parameters (m = 19 MiB, t = 2, p = 1).
 * Hashes are PHC strings, so the parameters travel with each hash and can be raised later.
 */
import { hash, verify } from '@node-rs/argon2'

// `algorithm: 2` is Argon2id (the package exports it as an ambient const enum).
const PARAMS = { algorithm: 2, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const

/** Hashes a secret for storage. */
export function hashSecret(secret: string): Promise<string> {
  return hash(secret, PARAMS)
}

/** True when `secret` matches `stored`; a malformed stored hash is simply a mismatch. */
export async function verifySecret(stored: string, secret: string): Promise<boolean> {
  try {
    return await verify(stored, secret)
  } catch {
    return false
  }
}

let dummy: Promise<string> | undefined
/** A hash to verify against when the account does not exist, so that timing does not tell. */
export function dummyHash(): Promise<string> {
  dummy ??= hashSecret('not-a-real-password-' + Math.random())
  return dummy
}
