// A node:test reporter that writes the run's totals and the failed tests as JSON to the file
// named by CLIENTELE_TEST_TOTALS, for scripts/test.js to read: it sees the whole run, however
// much the other reporter prints. The totals are the runner's own summary (its `tests N`,
// `pass N`, … diagnostics at the top level).
import { writeFileSync } from 'node:fs'

export default async function* totalsReporter(source) {
  const totals = {}
  const failed = []
  for await (const event of source) {
    if (event.type === 'test:diagnostic' && event.data.nesting === 0) {
      const m = /^(tests|suites|pass|fail|cancelled|skipped|todo|duration_ms) ([\d.]+)$/.exec(event.data.message)
      if (m) totals[m[1]] = Number(m[2])
    } else if (event.type === 'test:fail' && event.data.details?.type !== 'suite') {
      failed.push({ name: event.data.name, file: event.data.file ?? null })
    }
  }
  const out = process.env.CLIENTELE_TEST_TOTALS
  if (out) writeFileSync(out, JSON.stringify({ totals, failed }))
  yield ''
}
