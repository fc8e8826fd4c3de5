/**
 * `npm run bench:console`: the web console's first screen on a large hierarchy. Seeds N
 * organisations (default 1,000,000) with `clientele dev seed`, starts `clientele serve` on
 * them, signs in with headless Chromium (Debian's `chromium`), then times, over fresh page
 * loads with the session cookie, from navigating to `/` to the hierarchy's first page on screen
 * ("Showing 1–…"), and a search over the whole subtree from Apply to its results. Floor: the
 * first screen under 1 s (issue 14). Options: --orgs N, --loads N, --keep (keep the database).
 */
import { existsSync, mkdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { chromium } from 'playwright-core'
import { BENCH_DIR, parseArgs, seed, startClientele } from './lib.js'

const args = parseArgs(process.argv.slice(2))
const orgs = Number(args.get('orgs') ?? 1_000_000)
const loads = Number(args.get('loads') ?? 5)
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
if (!existsSync(chromiumPath)) {
  console.error(`Chromium is not at ${chromiumPath}: apt-get install chromium (or set CHROMIUM_PATH)`)
  process.exit(2)
}
const dir = join(BENCH_DIR, `console-${new Date().toISOString().replace(/[:.]/g, '-')}`)
mkdirSync(dir, { recursive: true })
const db = join(dir, 'console.db')
const password = randomBytes(18).toString('base64url')

console.log(`bench:console: seeding ${orgs.toLocaleString('en')} organisations …`)
const s = await seed({ db, orgs, password, logFile: join(dir, 'seed.log') })
console.log(`  seeded in ${s.wallSeconds.toFixed(1)} s`)
const server = await startClientele({ name: 'clientele (console)', db, password, logFile: join(dir, 'serve.log') })
const browser = await chromium.launch({
  executablePath: chromiumPath,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
})
let failed = false
try {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } })
  const login = await ctx.newPage()
  await login.goto(`${server.url}/`)
  await login.getByLabel('Username').fill('admin')
  await login.getByLabel('Password').fill(password)
  await login.getByRole('button', { name: 'Sign in' }).click()
  await login.getByRole('button', { name: 'Sign out' }).waitFor()
  await login.close()
  const times: number[] = []
  let shown = ''
  for (let i = 0; i < loads; i++) {
    const page = await ctx.newPage()
    const t0 = performance.now()
    await page.goto(`${server.url}/`)
    await page.getByText(/Showing 1–/).waitFor()
    times.push(performance.now() - t0)
    shown = (await page.getByText(/Showing 1–/).textContent()) ?? ''
    if (i < loads - 1) await page.close()
    else {
      const t1 = performance.now()
      await page.getByRole('searchbox', { name: 'Search' }).fill('Cedar Networks 2')
      await page.getByRole('button', { name: 'Apply' }).click()
      await page.getByText(/Showing 1–.* of \d/).waitFor()
      const found = await page.getByText(/Showing 1–.* of \d/).textContent()
      console.log(`  search "Cedar Networks 2" over the whole hierarchy: ${(performance.now() - t1).toFixed(0)} ms (${found})`)
    }
  }
  times.sort((a, b) => a - b)
  const median = times[Math.floor(times.length / 2)]!
  const worst = times[times.length - 1]!
  failed = worst >= 1000
  console.log(`  first screen (fresh load of / to the first page of the hierarchy, ${loads} loads): median ${median.toFixed(0)} ms, worst ${worst.toFixed(0)} ms (${shown}) — floor < 1000 ms: ${failed ? 'FAIL' : 'PASS'}`)
} finally {
  await browser.close()
  await server.stop()
  if (!args.has('keep')) rmSync(dir, { recursive: true, force: true })
}
process.exit(failed ? 1 : 0)
