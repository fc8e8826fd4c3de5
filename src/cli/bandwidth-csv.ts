/**
 * Reads the CSV file `clientele bandwidth import` takes: one sample a line,
 * `customer,timestamp,in,out` — the customer by org id or short code, the timestamp ISO 8601
 * (with Z or an offset) or Unix seconds, and the average rates in and out over the 5-minute slot
 * in bits per second (non-negative integers). Blank lines and lines starting with `#` are
 * skipped, and a first such line `customer,timestamp,in,out` is read as a header. No quoting: none
 * of the fields may hold a comma.
 */
import { MAX_BPS } from '../core/bandwidth.js'

/** The samples of one customer, in file order, with the line each came from. */
export interface CsvBatch {
  customer: string
  samples: { at: string; inBps: number; outBps: number }[]
  lines: number[]
}

/** What the file holds: the batches by customer, or the bad lines (1-based) with why. */
export type CsvResult = { ok: true; batches: CsvBatch[]; count: number } | { ok: false; errors: { line: number; message: string }[] }

const INTEGER = /^\d{1,13}$/

/** Parses `text`; any bad line makes the whole file bad (every bad line is reported). */
export function parseBandwidthCsv(text: string): CsvResult {
  const errors: { line: number; message: string }[] = []
  const byCustomer = new Map<string, CsvBatch>()
  let count = 0
  let first = true
  const lines = text.split(/\r?\n/)
  lines.forEach((raw, i) => {
    const line = i + 1
    const s = raw.trim()
    if (s === '' || s.startsWith('#')) return
    const wasFirst = first
    first = false
    if (wasFirst && /^customer\s*,\s*timestamp\s*,\s*in\s*,\s*out$/i.test(s)) return
    const f = s.split(',').map((x) => x.trim())
    if (f.length !== 4) return void errors.push({ line, message: `expected 4 fields customer,timestamp,in,out, found ${f.length}` })
    const [customer, ts, inText, outText] = f as [string, string, string, string]
    const bad: string[] = []
    if (customer === '' || customer.length > 64) bad.push('customer must be an org id or code')
    let at = ts
    if (/^\d{1,12}$/.test(ts)) at = new Date(Number(ts) * 1000).toISOString()
    else if (!Number.isFinite(Date.parse(ts)) || !/^\d{4}-\d{2}-\d{2}T/.test(ts)) bad.push(`timestamp ${JSON.stringify(ts)} is neither ISO 8601 nor Unix seconds`)
    const rate = (name: string, v: string): number => {
      if (!INTEGER.test(v) || Number(v) > MAX_BPS) bad.push(`${name} ${JSON.stringify(v)} is not a whole number of bits per second from 0 to ${MAX_BPS}`)
      return Number(v)
    }
    const inBps = rate('in', inText)
    const outBps = rate('out', outText)
    if (bad.length > 0) return void errors.push({ line, message: bad.join('; ') })
    let b = byCustomer.get(customer)
    if (!b) byCustomer.set(customer, (b = { customer, samples: [], lines: [] }))
    b.samples.push({ at, inBps, outBps })
    b.lines.push(line)
    count++
  })
  if (errors.length > 0) return { ok: false, errors }
  return { ok: true, batches: [...byCustomer.values()], count }
}
