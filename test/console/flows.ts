/**
 * What a person does in the console, as steps the browser tests and the screenshot script
 * share. Find controls the way a person (or a screen reader) does: by role and accessible name
 * (`getByRole('button', { name: 'Sign in' })`, `getByLabel('Username')`), never by CSS class.
 *
 * `CONSOLE_PAGES` is the one list of the console's pages: e2e.test.ts visits each at both widths
 * (no console error, no horizontal scroll, labelled controls) and `npm run screenshots` pictures
 * each. A new page (or an organisation's tab) is one line there.
 */
import type { Page } from 'playwright-core'
import { settled } from './browser.js'

// Browser globals for the code that runs inside the page (page.evaluate); this program has no DOM lib.
declare const location: any

/** The ids a page's address may need (what the screenshot script seeds; the master otherwise). */
export interface Ids {
  masterId: string
  /** An organisation to show on `#/orgs/<id>`: a reseller when one exists. */
  orgId: string
}

export interface ConsolePage {
  /** File-name-safe name, e.g. `org-services`. */
  name: string
  /** The hash route, e.g. `#/requests`. */
  hash: (ids: Ids) => string
}

/** Every page of the console. Add a page, or an organisation's tab, as one line. */
export const CONSOLE_PAGES: ConsolePage[] = [
  { name: 'tree', hash: () => '#/' },
  { name: 'org', hash: (d) => `#/orgs/${d.orgId}` },
  ...['users', 'keys', 'subscriptions', 'services', 'capacity', 'domains', 'ips', 'notices', 'contacts', 'cancellation'].map((tab) => ({ name: `org-${tab}`, hash: (d: Ids) => `#/orgs/${d.orgId}/${tab}` })),
  { name: 'org-customers', hash: (d) => `#/orgs?root=${d.orgId}` },
  { name: 'requests', hash: () => '#/requests' },
  { name: 'approvals', hash: () => '#/approvals' },
  { name: 'catalog', hash: () => '#/catalog' },
]

/** Opens the console at `base` and signs in through the form; waits for the shell. */
export async function signIn(page: Page, base: string, username: string, password: string): Promise<void> {
  await page.goto(`${base}/`)
  await page.getByLabel('Username').fill(username)
  await page.getByLabel('Password').fill(password)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.getByRole('button', { name: 'Sign out' }).waitFor()
}

/** Signs out through the shell's button; waits for the login form. */
export async function signOut(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Sign out' }).click()
  await page.getByRole('button', { name: 'Sign in' }).waitFor()
}

/** Goes to a console route (`#/…`) of the signed-in page and waits until it has settled. */
export async function visit(page: Page, hash: string): Promise<void> {
  await page.evaluate((h) => {
    location.hash = h
  }, hash)
  await settled(page)
}

/**
 * Creates a customer (a reseller when `reseller`, which only the master organisation's tree
 * offers) through the tree page's "New customer" form of the page shown; answers its id, read
 * from the "Open <name>" link the page then shows.
 */
export async function createCustomer(page: Page, name: string, opts: { reseller?: boolean; code?: string } = {}): Promise<string> {
  const form = page.getByRole('form', { name: 'New customer' })
  if (!(await form.isVisible())) await page.getByText('New customer', { exact: true }).click()
  await form.getByLabel('Name', { exact: true }).fill(name)
  if (opts.code) await form.getByLabel('Code (optional)').fill(opts.code)
  if (opts.reseller) await form.getByRole('checkbox', { name: 'Reseller' }).check()
  await form.getByRole('button', { name: 'Create customer' }).click()
  const open = page.getByRole('link', { name: `Open ${name}`, exact: true })
  await open.waitFor()
  const id = ((await open.getAttribute('href')) ?? '').replace(/^#\/orgs\//, '')
  if (!id) throw new Error(`the "Open ${name}" link has no organisation id`)
  return decodeURIComponent(id)
}

/** Opens an organisation's page and one of its sections by the section link's name (e.g. "Subscriptions"). */
export async function openTab(page: Page, orgId: string, section: string): Promise<void> {
  await visit(page, `#/orgs/${orgId}`)
  await page.getByRole('navigation', { name: 'Organisation sections' }).getByRole('link', { name: section, exact: true }).click()
  await page.getByRole('heading', { level: 2, name: section === 'Users and groups' ? /Users/ : section }).first().waitFor()
  await settled(page)
}
