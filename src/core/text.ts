/**
 * What text may hold, decided once for every face and every store: any Unicode character XML
 * 1.0 can carry. Refused: NUL and the other C0 controls but tab, line feed and carriage return
 * (U+0000–U+0008, U+000B, U+000C, U+000E–U+001F), the non-characters U+FFFE and U+FFFF, and
 * unpaired surrogates. A string that JSON can carry but one of the XML faces could not is
 * therefore never stored, and no face answers a document its readers would refuse.
 *
 * Values nest at most `MAX_NESTING` levels below the field they are given in (free-form JSON
 * such as `externalMetadata` or a driver's settings): common clients (Python's `json`, at 1,000)
 * and every encoder here can write and read back whatever is stored.
 */

/** One character text may not hold. */
const FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

/** Every character text may not hold. */
export const FORBIDDEN_TEXT_CHARS = new RegExp(FORBIDDEN.source, 'g')

/** How deep a value may nest below the field it is given in. */
export const MAX_NESTING = 32

/** The position of the first character `s` may not hold, or -1. */
export function forbiddenCharAt(s: string): number {
  const m = FORBIDDEN.exec(s)
  return m ? m.index : -1
}

/** `s` with every character text may not hold replaced by U+FFFD (for writers of data stored before this rule). */
export function replaceForbiddenChars(s: string): string {
  return FORBIDDEN.test(s) ? s.replace(FORBIDDEN_TEXT_CHARS, '\uFFFD') : s
}

/** `U+0001`: the character of `s` at `i`, named without showing it. */
export function charName(s: string, i: number): string {
  return `U+${(s.codePointAt(i) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`
}

/** What is wrong with a value: a character (named) in a string or a key, or nesting past the bound. */
export type TextProblem = { kind: 'char'; char: string } | { kind: 'depth' }

/**
 * Checks every string and object key in `v`, and its nesting (`depth` levels are already above
 * it). Answers the first problem, or undefined. Never recurses past `MAX_NESTING`.
 */
export function textProblem(v: unknown, depth = 0): TextProblem | undefined {
  if (typeof v === 'string') {
    const at = forbiddenCharAt(v)
    return at < 0 ? undefined : { kind: 'char', char: charName(v, at) }
  }
  if (v === null || typeof v !== 'object') return undefined
  if (depth >= MAX_NESTING) return { kind: 'depth' }
  if (Array.isArray(v)) {
    for (const x of v) {
      const p = textProblem(x, depth + 1)
      if (p) return p
    }
    return undefined
  }
  if (v instanceof Date || v instanceof Uint8Array) return undefined
  for (const k of Object.keys(v)) {
    const at = forbiddenCharAt(k)
    if (at >= 0) return { kind: 'char', char: charName(k, at) }
    const p = textProblem((v as Record<string, unknown>)[k], depth + 1)
    if (p) return p
  }
  return undefined
}

/** The sentence a refusal gives for `problem` in `field` (the field is named, its value never shown). */
export function describeTextProblem(field: string, problem: TextProblem): string {
  return problem.kind === 'char'
    ? `${field} contains ${problem.char}, a character text may not hold (control characters other than tab, line feed and carriage return, U+FFFE, U+FFFF and unpaired surrogates are refused)`
    : `${field} nests deeper than ${MAX_NESTING} levels`
}
