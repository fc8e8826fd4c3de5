/**
 * The console flows, each driven through the UI as a person would (by role and
 * accessible name) in headless Chromium on each database, and each outcome checked again
 * through the REST API as the admin:
 *
 * 1. create a reseller on the tree page and a customer under it (from "Customers of …");
 * 2. sell a plan until the reseller's quota refuses: the server's words in an alert, the
 *    reseller's quota bar full, the API's usage equal to what was sold;
 * 3. provision a service whose webhook endpoint the test holds: the badge goes Orange
 *    (InProgress) and, once the test lets the job finish, Green (Provisioned); the request
 *    is on #/requests;
 * 4. an approver signs in, accepts a gated provisioning with a reason, and the held request runs;
 * 5. a stale edit from a second browser: the message and what changed, "Reload their version",
 *    then "Re-apply my changes".
 *
 * The CSRF flow is in e2e.test.ts.
 */
import { after, before, it } from 'node:test'
import assert from 'node:assert/strict'
import type { Page } from 'playwright-core'
import { ADMIN_PASSWORD, eachDialect, type Answer } from '../helpers/harness.js'
import { startReceiver, type Receiver } from '../jobs/receiver.js'
import { sign } from '../../src/jobs/signing.js'
import { startConsole, type ConsoleHarness } from './browser.js'
import { createCustomer, openTab, signIn, signOut, visit } from './flows.js'


const SECRET = 'webhook-secret-for-console-flows'
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

eachDialect('console flows in a browser', (dialect) => {
  let c: ConsoleHarness
  let rx: Receiver
  let base: string

  before(async () => {
    rx = await startReceiver(SECRET)
    c = await startConsole(dialect)
    base = c.server.base
  })
  after(async () => {
    await c?.close()
    await rx?.close()
  })

  /** A REST call as the admin that must answer `want`. */
  const api = async (method: string, path: string, body?: unknown, want = method === 'POST' ? 201 : 200): Promise<any> => {
    const r = await c.server.req(method, path, body === undefined ? {} : { body })
    assert.equal(r.status, want, `${method} ${path}: ${r.text}`)
    return r.body
  }
  /** Polls GET `path` (as the admin) until `pred` holds; fails after 10 s. */
  const until = async (path: string, pred: (b: any) => boolean, what: string): Promise<Answer> => {
    const t0 = Date.now()
    for (;;) {
      const r = await c.server.req('GET', path)
      if (r.status === 200 && pred(r.body)) return r
      if (Date.now() - t0 > 10_000) assert.fail(`${path}: ${what}; got ${r.status} ${r.text}`)
      await sleep(25)
    }
  }
  const customerOfMaster = async (name: string, extra: object = {}): Promise<string> => (await api('POST', `/orgs/${c.server.masterId}/customers`, { name, ...extra })).id

  it('creates a reseller on the tree page and a customer under it, both shown as links', () =>
    c.withPage(async (page) => {
      await signIn(page, base, 'admin', ADMIN_PASSWORD)
      await visit(page, '#/')
      const resellerId = await createCustomer(page, 'Flow Reseller', { reseller: true })
      const list = page.getByRole('list', { name: 'Top level' })
      await list.getByRole('link', { name: 'Flow Reseller', exact: true }).waitFor()

      // Its page, then the tree below it, where the new-customer form makes its customers.
      await list.getByRole('link', { name: 'Flow Reseller', exact: true }).click()
      await page.getByRole('heading', { level: 1, name: /Flow Reseller/ }).waitFor()
      assert.match(await page.locator('.org-badges').innerText(), /Reseller/)
      await page.getByRole('link', { name: 'Customers of Flow Reseller' }).click()
      await page.waitForURL(`**/#/orgs?root=${resellerId}`)
      await page.getByText('Of Flow Reseller').waitFor()
      // Only the master organisation makes resellers.
      await page.getByText('New customer', { exact: true }).click()
      assert.equal(await page.getByRole('checkbox', { name: 'Reseller' }).count(), 0, 'a reseller is offered to make resellers')
      const customerId = await createCustomer(page, 'Flow Customer')
      await page.getByRole('list', { name: 'Top level' }).getByRole('link', { name: 'Flow Customer', exact: true }).waitFor()

      // The API agrees: a reseller of the master, a customer of the reseller.
      const r = await api('GET', `/orgs/${resellerId}`)
      assert.equal(r.name, 'Flow Reseller')
      assert.equal(r.isReseller, true)
      assert.equal(r.parentId, c.server.masterId)
      const kids = await api('GET', `/orgs/${resellerId}/customers`)
      assert.deepEqual(
        kids.items.map((o: any) => [o.id, o.name]),
        [[customerId, 'Flow Customer']],
      )
      // Back on the top level, the reseller expands to show its customer.
      await visit(page, '#/')
      await page.getByRole('button', { name: 'Expand Flow Reseller' }).click()
      await page.getByRole('list', { name: 'Customers of Flow Reseller' }).getByRole('link', { name: 'Flow Customer', exact: true }).waitFor()
    }))

  it("sells a plan until the reseller's quota refuses, in the server's words, with the quota bar full", () =>
    c.withPage(
      async (page) => {
        const QUOTA = 3
        const m = c.server.masterId
        const quotaPlan = await api('POST', `/orgs/${m}/plans`, { name: 'Reseller quota', resources: [{ name: 'customers', total: 5 }, { name: 'websites', total: QUOTA }] })
        const reseller = await customerOfMaster('Quota Reseller', { isReseller: true })
        await api('POST', `/orgs/${m}/customers/${reseller}/subscriptions`, { planId: quotaPlan.id })
        const plan = await api('POST', `/orgs/${reseller}/plans`, { name: 'One website', resources: [{ name: 'websites', total: 1 }] })
        const buyer = (await api('POST', `/orgs/${reseller}/customers`, { name: 'Quota Buyer' })).id as string

        await signIn(page, base, 'admin', ADMIN_PASSWORD)
        await openTab(page, buyer, 'Subscriptions')
        await page.getByText('This organisation holds no subscriptions.').waitFor()
        await page.getByRole('combobox', { name: 'Plan', exact: true }).selectOption(String(plan.id))
        await page.getByText('One website grants: websites 1.').waitFor()
        const sell = page.getByRole('button', { name: 'Sell plan' })
        let sold = 0
        let refusal: any
        for (let i = 0; i < QUOTA + 2 && !refusal; i++) {
          const [answer] = await Promise.all([
            page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith(`/customers/${buyer}/subscriptions`)),
            sell.click(),
          ])
          if (answer.status() === 201) {
            const { id } = await answer.json()
            sold++
            await page.getByRole('status').filter({ hasText: `Sold plan One website to Quota Buyer (subscription ${id}).` }).waitFor()
            await page.getByRole('heading', { level: 3, name: 'One website' }).nth(sold - 1).waitFor()
          } else {
            assert.equal(answer.status(), 409, await answer.text())
            refusal = await answer.json()
          }
        }
        assert.equal(sold, QUOTA, `sold ${sold} before the refusal; the quota is ${QUOTA}`)
        assert.equal(refusal.code, 'quota_exceeded')
        // The server's own words, in an alert.
        const alert = page.getByRole('alert')
        await alert.waitFor()
        const said = (await alert.innerText()).trim()
        assert.ok(said.startsWith(refusal.detail), `the alert says "${said}", the server "${refusal.detail}"`)
        assert.match(refusal.detail, /websites/)
        assert.equal(await page.getByRole('heading', { level: 3, name: 'One website' }).count(), QUOTA, 'the refused sale shows a subscription')

        // The reseller's own subscription shows its quota used up.
        await openTab(page, reseller, 'Subscriptions')
        const card = page.getByRole('region', { name: 'Reseller quota' })
        await card.getByText(`${QUOTA} / ${QUOTA} used — quota reached`).waitFor()
        const meter = card.getByRole('meter', { name: 'websites' })
        assert.equal(await meter.getAttribute('value'), String(QUOTA))
        assert.equal(await meter.getAttribute('max'), String(QUOTA))

        // The API: usage equals what was sold, and the buyer holds exactly those subscriptions.
        const mine = await api('GET', `/orgs/${reseller}/subscriptions`)
        const w = mine.items.find((s: any) => s.planKind === 'reseller').resources.find((r: any) => r.name === 'websites')
        assert.deepEqual({ usage: w.usage, total: w.total }, { usage: sold, total: QUOTA })
        const bought = await api('GET', `/orgs/${reseller}/customers/${buyer}/subscriptions`)
        assert.equal(bought.items.length, sold)
      },
      // Chromium logs the refused sale's answer; the refusal is the point.
      { allowErrors: [/status of 409/] },
    ))

  it("provisions a service and shows its colour change live, Orange while the endpoint holds it, then Green; the request is listed", () =>
    c.withPage(async (page) => {
      await api('POST', '/services', { name: 'WHELD', displayName: 'Held Hosting', driver: 'webhook', driverConfig: { url: `${rx.base}/accept`, secret: SECRET } })
      const org = await customerOfMaster('Service Customer')

      await signIn(page, base, 'admin', ADMIN_PASSWORD)
      await openTab(page, org, 'Services')
      await page.getByText('No services provisioned.').waitFor()
      // Every status the badge shows from now on, in order.
      // A string, not a function: tsx's transform would add helpers (__name) the page lacks.
      await page.evaluate(`(() => {
        window.seenStatuses = []
        const note = () => {
          const el = document.querySelector('tr[data-service="WHELD"] [data-status]')
          const s = el ? el.getAttribute('data-status') + '/' + el.getAttribute('data-colour') : ''
          if (s && window.seenStatuses[window.seenStatuses.length - 1] !== s) window.seenStatuses.push(s)
        }
        new MutationObserver(note).observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true })
      })()`)
      await page.getByRole('combobox', { name: 'Service', exact: true }).selectOption('WHELD')
      const [put] = await Promise.all([
        page.waitForResponse((r) => r.request().method() === 'PUT' && r.url().endsWith(`/orgs/${org}/services/WHELD`)),
        page.getByRole('button', { name: 'Provision', exact: true }).click(),
      ])
      assert.equal(put.status(), 202)
      const requestGuid = (await put.headerValue('x-job-guid'))!
      assert.ok(requestGuid, 'the provisioning answered no request guid')
      // The form says what the server answered: requested.
      await page.getByRole('status').filter({ hasText: 'Held Hosting: Provisioning requested.' }).waitFor()

      // The endpoint accepted the work (202) and holds it: Orange, in words too.
      const badge = page.locator('tr[data-service="WHELD"] [data-status]')
      await page.locator('tr[data-service="WHELD"] [data-status="InProgress"]').waitFor()
      assert.equal(await badge.getAttribute('data-colour'), 'Orange')
      assert.match(await badge.innerText(), /Provisioning in progress\s*\(Orange\)/)
      assert.equal(await page.getByRole('progressbar', { name: 'Provisioning in progress: in progress' }).count(), 1)
      await sleep(300)
      assert.equal(await badge.getAttribute('data-status'), 'InProgress', 'the badge moved on while the endpoint held the job')
      assert.equal((await api('GET', `/orgs/${org}/services/WHELD`)).status, 'InProgress')

      // The test lets the job finish with the endpoint's signed callback.
      const t0 = Date.now()
      while (!rx.deliveries.some((d) => d.requestGuid === requestGuid) && Date.now() - t0 < 5000) await sleep(10)
      const delivery = rx.deliveries.find((d) => d.requestGuid === requestGuid)
      assert.ok(delivery, 'the endpoint was never called')
      const body = JSON.stringify({ status: 'succeeded', result: {} })
      const now = Math.floor(Date.now() / 1000)
      const cb = await fetch(`${base}/jobs/${delivery.jobGuid}/callback`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-clientele-timestamp': String(now), 'x-clientele-signature': sign(SECRET, now, body) },
        body,
      })
      assert.equal(cb.status, 200, await cb.text())

      await page.locator('tr[data-service="WHELD"] [data-status="Provisioned"]').waitFor()
      assert.equal(await badge.getAttribute('data-colour'), 'Green')
      assert.match(await badge.innerText(), /Provisioned\s*\(Green\)/)
      assert.equal(await page.getByRole('progressbar').count(), 0, 'a finished provisioning still shows progress')
      await page.getByRole('status').filter({ hasText: 'Held Hosting: Provisioned.' }).waitFor()
      const seen = (await page.evaluate('window.seenStatuses')) as string[]
      const at = (s: string) => seen.indexOf(s)
      assert.ok(at('InProgress/Orange') >= 0 && at('InProgress/Orange') < at('Provisioned/Green'), `the badge showed ${seen.join(' → ')}`)
      assert.ok(seen.every((s) => ['Requested/Yellow', 'InProgress/Orange', 'Provisioned/Green'].includes(s)), `the badge showed ${seen.join(' → ')}`)
      assert.equal((await api('GET', `/orgs/${org}/services/WHELD`)).status, 'Provisioned')

      // The request is on the requests page, finished, and opens to its own page.
      await visit(page, '#/requests')
      const job = await api('GET', `/jobs/${requestGuid}`)
      assert.equal(job.status, 'succeeded')
      const link = page.getByRole('link', { name: `${job.operation} #${job.id}`, exact: true })
      await link.waitFor()
      assert.match(await page.getByRole('row').filter({ has: link }).innerText(), /succeeded/)
      await link.click()
      await page.getByRole('heading', { level: 1, name: `Request ${job.operation}` }).waitFor()
      await page.getByRole('status').filter({ hasText: 'succeeded' }).waitFor()
    }))

  it('lets the approver accept a held provisioning with a reason on #/approvals, and the request then runs', async () => {
    const org = await customerOfMaster('Approval Customer')
    await api('POST', '/services', { name: 'FSS', displayName: 'File Sharing' })
    await api('POST', `/orgs/${org}/members`, { username: `approver_${dialect}`, password: 'approver-password-1', role: 'member', firstName: 'Ada', lastName: 'Approver', email: 'ada@approvals.test' })
    await api('PUT', `/orgs/${org}/approval-providers`, {
      groups: [{ name: 'Service approval', configuration: { membersToApprove: 1 }, members: [`approver_${dialect}`], subscriptions: { services: [{ label: 'All', subscriptions: [{ name: 'Provision', access: 'Object' }] }] } }],
    })
    const put = await c.server.req('PUT', `/orgs/${org}/services/FSS`, { body: {} })
    assert.equal(put.status, 202, put.text)
    assert.equal(put.body.status, 'Pending')
    const jobGuid = put.headers.get('x-job-guid')!
    const REASON = 'Budget approved in the weekly review'

    await c.withPage(async (page) => {
      await signIn(page, base, `approver_${dialect}`, 'approver-password-1')
      await visit(page, '#/approvals')
      const card = page.getByRole('article', { name: 'Provision Service - File Sharing' })
      await card.waitFor()
      assert.match(await card.innerText(), /Approval Customer/)
      assert.match(await card.innerText(), /Pending/)
      const form = page.getByRole('form', { name: 'Decide: Provision Service - File Sharing' })
      await form.getByLabel('Reason').fill(REASON)
      await form.getByRole('button', { name: 'Accept', exact: true }).click()
      await page.getByRole('status').filter({ hasText: 'Accepted: Provision Service - File Sharing.' }).waitFor()
      await page.getByText('Nothing waits for your approval.').waitFor()
      // Shown among the accepted ones, with the reason.
      await page.getByRole('combobox', { name: 'Status', exact: true }).selectOption('Accepted')
      await page.getByRole('article', { name: 'Provision Service - File Sharing' }).getByText(`Accepted: ${REASON}`).waitFor()
      await signOut(page)
    })

    // The API: accepted with the reason; the held request ran and the service is provisioned.
    const accepted = await api('GET', `/orgs/${org}/approvals?status=Accepted`)
    assert.equal(accepted.items.length, 1, JSON.stringify(accepted))
    assert.equal(accepted.items[0].requestGuid, jobGuid)
    assert.equal(accepted.items[0].subscriptions[0].status, 'Accepted')
    assert.equal(accepted.items[0].subscriptions[0].reason, REASON)
    assert.equal((await api('GET', `/orgs/${org}/approvals?status=Pending`)).items.length, 0)
    await until(`/orgs/${org}/services/FSS`, (b) => b.status === 'Provisioned', 'provisioned after the acceptance')
    const job = await until(`/jobs/${jobGuid}`, (b) => b.status === 'succeeded', 'the held request succeeds')
    assert.equal(job.body.approvalPending, false)
  })

  it('says a stale edit is stale and shows what changed; "Reload their version" and "Re-apply my changes" both do what they say', async () => {
    const org = await customerOfMaster('Stale Edit Ltd')
    const open = async (page: Page) => {
      await signIn(page, base, 'admin', ADMIN_PASSWORD)
      await visit(page, `#/orgs/${org}`)
      await page.getByRole('heading', { level: 2, name: 'Details' }).waitFor()
    }
    const save = async (page: Page) => {
      await page.getByRole('button', { name: 'Save', exact: true }).click()
    }
    const saved = (page: Page) => page.getByRole('status').filter({ hasText: /^Saved \(version \d+\)\.$/ }).waitFor()
    // A 412/409 is the server refusing the stale write: expected, and Chromium logs it.
    const stale = { allowErrors: [/status of (412|409)/] }

    await c.withPage(
      (first) =>
        c.withPage(async (second) => {
          await open(first)
          await open(second)
          // First: City becomes Amsterdam, saved.
          await first.getByLabel('City', { exact: true }).fill('Amsterdam')
          await save(first)
          await saved(first)
          // Second, opened before that: its City becomes Berlin, refused as stale.
          await second.getByLabel('City', { exact: true }).fill('Berlin')
          await save(second)
          const conflict = second.getByRole('alert').filter({ has: second.getByRole('heading', { name: 'Not saved: someone else changed this organisation' }) })
          await conflict.waitFor()
          const table = conflict.getByRole('table', { name: 'What changed on the server' })
          const row = table.getByRole('row', { name: /^City/ })
          assert.deepEqual(await row.locator('th, td').allInnerTexts(), ['City', 'Amsterdam', 'Berlin'])
          assert.equal(await table.getByRole('row').count(), 2, 'rows other than City: ' + (await table.innerText()))
          await conflict.getByRole('button', { name: 'Reload their version' }).click()
          await second.getByRole('status').filter({ hasText: 'Reloaded: the form shows the server’s version; your changes were dropped.' }).waitFor()
          assert.equal(await second.getByLabel('City', { exact: true }).inputValue(), 'Amsterdam')
          assert.equal(await second.getByRole('heading', { name: 'Not saved: someone else changed this organisation' }).count(), 0)
          let now = await api('GET', `/orgs/${org}`)
          assert.equal(now.city, 'Amsterdam')

          // Again the other way: first (now stale) sets the country, second the description
          // first; first re-applies its change over second's.
          await second.getByLabel('Description', { exact: true }).fill('Edited in the second window')
          await save(second)
          await saved(second)
          await first.getByLabel('Country', { exact: true }).fill('NL')
          await save(first)
          const again = first.getByRole('alert').filter({ has: first.getByRole('heading', { name: 'Not saved: someone else changed this organisation' }) })
          await again.waitFor()
          const rows = again.getByRole('table', { name: 'What changed on the server' })
          assert.deepEqual(await rows.getByRole('row', { name: /^Description/ }).locator('th, td').allInnerTexts(), ['Description', 'Edited in the second window', '(unchanged by you)'])
          assert.deepEqual(await rows.getByRole('row', { name: /^Country/ }).locator('th, td').allInnerTexts(), ['Country', '(empty)', 'NL'])
          await again.getByRole('button', { name: 'Re-apply my changes' }).click()
          await saved(first)
          assert.equal(await first.getByLabel('Description', { exact: true }).inputValue(), 'Edited in the second window')
          assert.equal(await first.getByLabel('Country', { exact: true }).inputValue(), 'NL')
          now = await api('GET', `/orgs/${org}`)
          assert.deepEqual([now.city, now.description, now.country], ['Amsterdam', 'Edited in the second window', 'NL'])
        }, stale),
      stale,
    )
  })
})
