/**
 * How hard the adversarial tests push. `npm test` (and so `.ci/run`) runs each with its reduced
 * count, enough to fail on the defect it looks for; `npm run test:adversarial` sets
 * `ADVERSARIAL=full` and runs the figures issue 15 names (50 crash cycles, 50 oversell trials,
 * 10,000 generated cases per face, …). `ADVERSARIAL_<NAME>` overrides one count either way,
 * e.g. `ADVERSARIAL_OVERSELL_TRIALS=5`.
 */
export const FULL = process.env.ADVERSARIAL === 'full'

export function count(name: string, reduced: number, full: number): number {
  const given = process.env[`ADVERSARIAL_${name}`]
  if (given !== undefined && given !== '') {
    const n = Number(given)
    if (!Number.isInteger(n) || n < 1) throw new Error(`ADVERSARIAL_${name} must be a positive integer, not ${JSON.stringify(given)}`)
    return n
  }
  return FULL ? full : reduced
}
