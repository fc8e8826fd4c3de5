/**
 * The web console end to end, in headless Chromium against a real server on each database:
 * signing in and out through the form (mouse and keyboard alone), the server's words for a
 * wrong password, CSRF from another origin refused, and every page of CONSOLE_PAGES at 1280 px
 * and 390 px with no console error, no horizontal scroll and every control labelled.
 *
 * Page flows (create a customer, sell a plan, provision a service, approve …) go here as
 * `it(…, () => c.withPage(async (page) => { await signIn(…); … }))`, with their steps in flows.ts.
 */
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { ADMIN_PASSWORD, eachDialect } from '../helpers/harness.js'
import { DESKTOP, PHONE, accessibilityProblems, axeViolations, horizontalOverflow, startConsole, type ConsoleHarness } from './browser.js'
import { CONSOLE_PAGES, signIn, signOut, visit, type Ids } from './flows.js'

// Browser globals for the code that runs inside the page (page.evaluate); this program has no DOM lib.
declare const document: any, window: any, getComputedStyle: any

eachDialect('the web console in a browser', (dialect) => {
  let c: ConsoleHarness
  let base: string
  let ids: Ids

  before(async () => {
    c = await startConsole(dialect)
    base = c.server.base
    const o = await c.server.req('POST', `/orgs/${c.server.masterId}/customers`, { body: { name: 'Browser Test Customer' } })
    assert.equal(o.status, 201, o.text)
    ids = { masterId: c.server.masterId, orgId: o.body.id }
  })
  after(() => c?.close())

  /** Whether GET /session, with the page's cookies, says someone is signed in. */
  const signedIn = async (page: import('playwright-core').Page) => ((await (await page.request.get(`${base}/session`)).json()) as { signedIn: boolean }).signedIn

  it('signs in through the form, shows the shell with the user, and signs out back to the login', () =>
    c.withPage(async (page) => {
      await signIn(page, base, 'admin', ADMIN_PASSWORD)
      const banner = page.getByRole('banner')
      await banner.getByText(/\badmin\b/).waitFor()
      assert.equal(await signedIn(page), true)
      await signOut(page)
      await page.getByLabel('Username').waitFor()
      assert.equal(await page.getByRole('button', { name: 'Sign out' }).count(), 0)
      assert.equal(await signedIn(page), false, 'the server still has the session after Sign out')
      // A reload stays signed out.
      await page.reload()
      await page.getByRole('button', { name: 'Sign in' }).waitFor()
    }))

  it("shows the server's words for a wrong password and stays signed out", () =>
    c.withPage(
      async (page) => {
        await page.goto(`${base}/`)
        await page.getByLabel('Username').fill('admin')
        await page.getByLabel('Password').fill('not-the-password')
        await page.getByRole('button', { name: 'Sign in' }).click()
        const alert = page.getByRole('alert')
        await alert.waitFor()
        // The server's problem detail is "invalid credentials".
        assert.match(await alert.innerText(), /invalid credentials/i)
        assert.equal(await page.getByRole('button', { name: 'Sign out' }).count(), 0)
        assert.equal(await signedIn(page), false)
        assert.equal(await page.getByRole('button', { name: 'Sign in' }).isEnabled(), true)
      },
      // Chromium logs every 4xx answer to a fetch; this one is the point of the test.
      { allowErrors: [/status of 401/] },
    ))

  it('can be filled and submitted with the keyboard alone, with visible focus', () =>
    c.withPage(async (page) => {
      await page.goto(`${base}/`)
      await page.getByRole('button', { name: 'Sign in' }).waitFor()
      const focused = (label: string) => page.getByLabel(label).evaluate((el) => el === document.activeElement)
      await page.keyboard.press('Tab')
      assert.equal(await focused('Username'), true, 'Tab does not reach Username first')
      const outline = await page.getByLabel('Username').evaluate((el) => getComputedStyle(el).outlineStyle)
      assert.notEqual(outline, 'none', 'the focused field shows no focus ring')
      await page.keyboard.type('admin')
      await page.keyboard.press('Tab')
      assert.equal(await focused('Password'), true, 'Tab does not go from Username to Password')
      await page.keyboard.type(ADMIN_PASSWORD)
      await page.keyboard.press('Enter')
      await page.getByRole('button', { name: 'Sign out' }).waitFor()
      assert.equal(await signedIn(page), true)
    }))

  it('imports a catalogue with its progress shown, counts what changed, lists the services, and says why a bad file is refused', () =>
    c.withPage(async (page) => {
      await signIn(page, base, 'admin', ADMIN_PASSWORD)
      await visit(page, '#/catalog')
      await page.getByRole('heading', { name: 'Service catalogue' }).waitFor()
      const yamlPath = new URL('../../examples/catalog.yaml', import.meta.url).pathname
      await page.getByLabel('Catalogue file').setInputFiles(yamlPath)
      await page.getByRole('button', { name: 'Import' }).click()
      // The long work shows as progress, then the outcome.
      await page.getByRole('status').filter({ hasText: /Uploading|Importing|Imported/ }).first().waitFor()
      await page.getByText('Imported.').waitFor()
      const created = await page.getByRole('row', { name: /^services/ }).getByRole('cell').first().textContent()
      assert.ok(Number(created) > 10, `services created: ${created}`)
      await page.getByRole('rowheader', { name: 'ADSync', exact: true }).waitFor()
      const listed = await c.server.req('GET', '/services')
      assert.equal(listed.status, 200)
      assert.ok(JSON.stringify(listed.body).includes('ADSync'))
      // A file that is not a catalogue: the words say so, and nothing is sent.
      await page.getByLabel('Catalogue file').setInputFiles({ name: 'broken.yaml', mimeType: 'text/yaml', buffer: Buffer.from('services: [unclosed') })
      await page.getByRole('button', { name: 'Import' }).click()
      await page.getByRole('alert').filter({ hasText: /broken\.yaml is not a catalogue document/ }).waitFor()
    }))

  it('requests a cancellation with a reason, shows when it takes effect, and withdraws it', () =>
    c.withPage(async (page) => {
      const made = await c.server.req('POST', `/orgs/${c.server.masterId}/customers`, { body: { name: 'Leaving Co' } })
      assert.equal(made.status, 201, made.text)
      await signIn(page, base, 'admin', ADMIN_PASSWORD)
      await visit(page, `#/orgs/${made.body.id}/cancellation`)
      await page.getByText('No cancellation was ever requested.').waitFor()
      await page.getByLabel('Reason').fill('Moving to another provider')
      await page.getByRole('button', { name: 'Request cancellation' }).click()
      await page.getByRole('status').filter({ hasText: /Cancellation of Leaving Co approved: it takes effect/ }).waitFor()
      const listed = await c.server.req('GET', `/orgs/${made.body.id}/cancellations`)
      assert.equal(listed.body.items[0].status, 'approved')
      assert.equal(listed.body.items[0].reason, 'Moving to another provider')
      await page.getByRole('button', { name: 'Withdraw cancellation of Leaving Co' }).click()
      await page.getByRole('button', { name: 'Confirm withdraw' }).click()
      await page.getByRole('status').filter({ hasText: 'Cancellation withdrawn.' }).waitFor()
      assert.equal((await c.server.req('GET', `/orgs/${made.body.id}/cancellations`)).body.items[0].status, 'withdrawn')
      // Withdrawn, it may be asked again: the form is back.
      await page.getByRole('button', { name: 'Request cancellation' }).waitFor()
    }))

  for (const viewport of [DESKTOP, PHONE]) {
    it(`shows the login and every page at ${viewport.width} px without horizontal scroll, errors or unlabelled controls`, () =>
      c.withPage(
        async (page) => {
          await page.goto(`${base}/`)
          await page.getByRole('button', { name: 'Sign in' }).waitFor()
          assert.ok((await horizontalOverflow(page)) <= 0, `the login scrolls sideways at ${viewport.width} px`)
          assert.deepEqual(await accessibilityProblems(page), [], 'the login')
          assert.deepEqual(await axeViolations(page), [], 'the login (axe-core)')
          await signIn(page, base, 'admin', ADMIN_PASSWORD)
          for (const p of CONSOLE_PAGES) {
            await visit(page, p.hash(ids))
            const over = await horizontalOverflow(page)
            assert.ok(over <= 0, `${p.name} (${p.hash(ids)}) scrolls sideways by ${over} px at ${viewport.width} px`)
            assert.deepEqual(await accessibilityProblems(page), [], `${p.name} (${p.hash(ids)})`)
            assert.deepEqual(await axeViolations(page), [], `${p.name} (${p.hash(ids)}) (axe-core)`)
          }
        },
        { viewport },
      ))
  }

  describe('CSRF', () => {
    /** A page from another origin (same site: 127.0.0.1 on another port, so the Lax cookie goes along). */
    let evil: Server
    let evilBase: string
    before(async () => {
      const target = `${base}/orgs/${ids.masterId}/customers`
      const html = `<!doctype html><html lang="en"><head><title>Win a prize</title></head><body>
<form id="form" method="POST" action="${target}" enctype="text/plain"><input type="hidden" name='{"name":"Evil form customer","x":"' value='"}'></form>
<script>
window.attackFetch = () => fetch(${JSON.stringify(target)}, { method: 'POST', mode: 'no-cors', credentials: 'include', headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ name: 'Evil fetch customer' }) }).then(() => 'sent', (e) => String(e))
</script></body></html>`
      evil = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html))
      await new Promise<void>((r) => evil.listen(0, '127.0.0.1', r))
      evilBase = `http://127.0.0.1:${(evil.address() as AddressInfo).port}`
    })
    after(() => new Promise<void>((r) => (evil ? evil.close(() => r()) : r())))

    const customerNames = async () => {
      const l = await c.server.req('GET', `/orgs/${ids.masterId}/customers?limit=1000`)
      assert.equal(l.status, 200, l.text)
      return (l.body.items as { name: string }[]).map((x) => x.name)
    }

    it('refuses a form POST and a credentialed fetch from another origin carrying the session cookie, and creates nothing', () =>
      c.withPage(
        async (page) => {
          await signIn(page, base, 'admin', ADMIN_PASSWORD)
          await page.goto(`${evilBase}/`)
          const isAttack = (r: import('playwright-core').Response) => r.request().method() === 'POST' && r.url().startsWith(`${base}/orgs/`)

          // 401 would mean the browser never sent the cookie (and the test would prove nothing);
          // 403 is the session recognised and the call refused for its origin.
          const [fetched] = await Promise.all([page.waitForResponse(isAttack), page.evaluate(() => window.attackFetch())])
          assert.equal(fetched.status(), 403, `a cross-origin fetch with the session cookie answered ${fetched.status()}`)

          const [posted] = await Promise.all([page.waitForResponse(isAttack), page.evaluate(() => document.getElementById('form').submit())])
          assert.equal(posted.status(), 403, `a cross-origin form POST with the session cookie answered ${posted.status()}`)
          await page.waitForURL(`${base}/orgs/**`)
          const said = await page.locator('body').innerText()
          assert.match(said, /cross-origin POST with the session cookie is refused/, said)
          assert.ok(said.includes(evilBase), `the refusal does not name the page's origin: ${said}`)

          const names = await customerNames()
          assert.ok(!names.some((n) => n.startsWith('Evil')), `the attack created ${names.filter((n) => n.startsWith('Evil')).join(', ')}`)
          // The session itself is untouched: the console still works from its own origin.
          await page.goto(`${base}/`)
          await page.getByRole('button', { name: 'Sign out' }).waitFor()
        },
        // The refused answers, and the favicon the browser asks for on the problem page it shows.
        { allowErrors: [/status of 403/, /\/orgs\/\S+\/customers: Failed to load resource: .*status of 404/] },
      ))

    it('refuses an unsafe call with the session cookie and a foreign Origin, and accepts it from its own origin', async () => {
      const login = await c.server.req('POST', '/login', { auth: null, body: { username: 'admin', password: ADMIN_PASSWORD } })
      assert.equal(login.status, 200, login.text)
      const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!
      assert.match(cookie, /^id0=./)
      const create = (origin: string, name: string) =>
        c.server.req('POST', `/orgs/${ids.masterId}/customers`, { auth: null, headers: { cookie, origin }, body: { name } })
      const refused = await create('http://evil.example', 'Evil origin customer')
      assert.equal(refused.status, 403, refused.text)
      assert.equal(refused.body.code, 'forbidden')
      const ok = await create(base, 'Own origin customer')
      assert.equal(ok.status, 201, ok.text)
      const names = await customerNames()
      assert.ok(names.includes('Own origin customer'))
      assert.ok(!names.includes('Evil origin customer'))
    })
  })
})
