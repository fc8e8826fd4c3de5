/**
 * Pictures of the web console for review: starts a server on a fresh SQLite database in a temp
 * dir, seeds a little of everything (a reseller with its plan and customers, a subscription, a
 * provisioned service and so a request, a pending approval in the admin's inbox), signs in as
 * the admin in headless Chromium and writes PNGs of the login and of every page in
 * test/console/flows.ts's CONSOLE_PAGES at 1280×800 and 390×844 into screenshots/ (gitignored),
 * printing each file.
 *
 *   npm run build:console && npm run screenshots
 *
 * Exits 1 when a page logs a console error or throws (the files written so far remain).
 */
import assert from 'node:assert/strict'
import { mkdirSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'
import { ADMIN_PASSWORD, startServer, type TestServer } from '../test/helpers/harness.js'
import { DESKTOP, PHONE, launchChromium, openPage, requireConsoleBuild, settled } from '../test/console/browser.js'
import { CONSOLE_PAGES, signIn, visit, type Ids } from '../test/console/flows.js'

const OUT = resolve('screenshots')

/** Seeds the database through the REST API as the admin; answers the ids pages need. */
async function seed(s: TestServer): Promise<Ids> {
  const call = async (method: string, path: string, body: unknown, want: number) => {
    const r = await s.req(method, path, { body })
    assert.equal(r.status, want, `${method} ${path}: ${r.status} ${r.text}`)
    return r.body
  }
  await call('PUT', '/catalog', {
    services: [
      { name: 'MAIL', displayName: 'Hosted Mail', packages: [{ name: 'Basic' }, { name: 'Archive' }], plans: [{ name: 'MAILBASIC', fullname: 'Mail Basic' }] },
      { name: 'FILES', displayName: 'File Sharing', plans: [{ name: 'FULL' }] },
    ],
    locations: [{ name: 'Local', services: ['MAIL', 'FILES'] }],
  }, 200)
  const m = s.masterId
  const resellerPlan = await call('POST', `/orgs/${m}/plans`, { name: 'Reseller Standard', resources: [{ name: 'customers', total: 25 }, { name: 'websites', total: 50 }] }, 201)
  const reseller = await call('POST', `/orgs/${m}/customers`, { name: 'Northwind Hosting', contactName: 'Nadia North', contactEmail: 'nadia@northwind.example' }, 201)
  await call('POST', `/orgs/${m}/customers/${reseller.id}/subscriptions`, { planId: resellerPlan.id }, 201)
  await call('POST', `/orgs/${m}/customers`, { name: 'Direct Customer Ltd' }, 201)
  const hosting = await call('POST', `/orgs/${reseller.id}/plans`, { name: 'Web Hosting S', resources: [{ name: 'websites', total: 2 }] }, 201)
  const customers = []
  for (const name of ['Acme Corporation', 'Globex', 'Initech']) customers.push(await call('POST', `/orgs/${reseller.id}/customers`, { name }, 201))
  await call('POST', `/orgs/${reseller.id}/customers/${customers[0].id}/subscriptions`, { planId: hosting.id }, 201)
  await call('POST', `/orgs/${reseller.id}/customers/${customers[1].id}/subscriptions`, { planId: hosting.id }, 201)
  // A service, provisioned as a request the worker runs.
  await call('PUT', `/orgs/${customers[0].id}/services/MAIL`, { location: 'Local' }, 202)
  // A pending approval in the admin's inbox: the master's own File Sharing provisioning, gated
  // by a group whose only member is the admin.
  await call('PUT', `/orgs/${m}/approval-providers`, {
    groups: [{ name: 'Service approval', members: ['admin'], subscriptions: { services: [{ label: 'File Sharing', subscriptions: [{ name: 'Provision', access: 'Object' }] }] } }],
  }, 200)
  const held = await call('PUT', `/orgs/${m}/services/FILES`, { location: 'Local' }, 202)
  assert.equal(held.approvalPending, true, 'the File Sharing provisioning is not held for approval')
  return { masterId: m, orgId: reseller.id }
}

async function main(): Promise<number> {
  requireConsoleBuild()
  mkdirSync(OUT, { recursive: true })
  const s = await startServer('sqlite', { worker: { pollMaxMs: 20 } })
  let failed = 0
  try {
    const ids = await seed(s)
    const browser = await launchChromium()
    try {
      for (const [label, viewport] of [['desktop', DESKTOP], ['phone', PHONE]] as const) {
        const { context, page, errors } = await openPage(browser, viewport)
        try {
          const shot = async (name: string) => {
            const file = join(OUT, `${name}-${label}.png`)
            await page.screenshot({ path: file, fullPage: true })
            console.log(`wrote ${relative(process.cwd(), file)} (${viewport.width}×${viewport.height})`)
          }
          await page.goto(`${s.base}/`)
          await page.getByRole('button', { name: 'Sign in' }).waitFor()
          await shot('login')
          await signIn(page, s.base, 'admin', ADMIN_PASSWORD)
          await settled(page)
          for (const p of CONSOLE_PAGES) {
            await visit(page, p.hash(ids))
            await shot(p.name)
          }
        } finally {
          await context.close()
        }
        for (const e of errors.list) console.error(`page error (${label}): ${e}`)
        failed += errors.list.length
      }
    } finally {
      await browser.close()
    }
  } finally {
    await s.close()
  }
  if (failed) console.error(`${failed} page error(s): see above`)
  return failed ? 1 : 0
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e instanceof Error ? e.message : e)
    process.exit(1)
  },
)
