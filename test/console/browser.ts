/**
 * The console in a real browser: headless Chromium (Debian's, driven by playwright-core) on a
 * test server that serves the built console at `/`.
 *
 *   let c: ConsoleHarness
 *   before(async () => { c = await startConsole(dialect) })
 *   after(() => c?.close())
 *   it('…', () => c.withPage(async (page) => { await signIn(page, c.server); … }))
 *
 * `withPage` gives each test a page of its own (own cookies) and fails the test when the page
 * logged any console error or threw (uncaught exception, unhandled rejection), unless the test
 * named that error as expected (`allowErrors`, e.g. the 401 a wrong password answers). Pages,
 * contexts, the browser and the server are closed even when the test fails.
 *
 * Chromium missing, or the console never built, fails the suite saying how to get them: never a
 * skip, never a silent pass.
 */
import { existsSync } from 'node:fs'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'
import { CONSOLE_DIST } from '../../src/faces/console/routes.js'
import type { AppOptions } from '../../src/server.js'
import type { Dialect } from '../../src/store/store.js'
import { startServer, type TestServer } from '../helpers/harness.js'

// Browser globals for the code that runs inside the page (page.evaluate); this program has no DOM lib.
declare const document: any, window: any

/** The launch arguments of the common notes: no sandbox (containers), no network chatter. */
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run']

/** The two widths every page must work at. */
export const DESKTOP = { width: 1280, height: 800 } as const
export const PHONE = { width: 390, height: 844 } as const
export type Viewport = { width: number; height: number }

/** Where Chromium is: `CHROMIUM_PATH`, else Debian's `/usr/bin/chromium`; throws saying how to install it. */
export function chromiumPath(): string {
  const path = process.env.CHROMIUM_PATH || '/usr/bin/chromium'
  if (!existsSync(path)) {
    throw new Error(
      `Chromium is not at ${path}: the console's browser tests need it. Install Debian's package (apt-get install chromium) or set CHROMIUM_PATH to a Chromium binary. (Never \`npx playwright install\`.)`,
    )
  }
  return path
}

/** Throws unless the console was built (the server answers 503 at `/` without it). */
export function requireConsoleBuild(): void {
  if (!existsSync(`${CONSOLE_DIST}/index.html`)) {
    throw new Error(`The console is not built (${CONSOLE_DIST}/index.html is missing): run \`npm run build:console\` first (npm ci runs it).`)
  }
}

/** Launches headless Chromium. */
export async function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS, headless: true })
}

/** What a page logged as an error: console errors and uncaught exceptions. */
export interface PageErrors {
  list: string[]
}

/** Opens a page in a new context (own cookies) at `viewport`, recording its errors. */
export async function openPage(browser: Browser, viewport: Viewport = DESKTOP): Promise<{ context: BrowserContext; page: Page; errors: PageErrors }> {
  const context = await browser.newContext({ viewport, reducedMotion: 'reduce' })
  const page = await context.newPage()
  page.setDefaultTimeout(10_000)
  const errors: PageErrors = { list: [] }
  watch(page, errors)
  // Popups and pages a test opens in the same context are watched too.
  context.on('page', (p) => p !== page && watch(p, errors))
  return { context, page, errors }
}

function watch(page: Page, errors: PageErrors): void {
  page.on('console', (m) => {
    if (m.type() === 'error') errors.list.push(`console error at ${page.url()}: ${m.text()}`)
  })
  page.on('pageerror', (e) => errors.list.push(`uncaught at ${page.url()}: ${e.stack ?? e.message}`))
}

export interface PageOptions {
  viewport?: Viewport
  /** Errors this test expects (e.g. /status of 401/ for a wrong password); any other fails it. */
  allowErrors?: RegExp[]
}

export interface ConsoleHarness {
  server: TestServer
  browser: Browser
  /**
   * Runs `fn` with a fresh page; fails when the page logged an error not allowed, and closes the
   * page's context whatever happens.
   */
  withPage<T>(fn: (page: Page, context: BrowserContext) => Promise<T>, opts?: PageOptions): Promise<T>
  close(): Promise<void>
}

/** Starts a server on a fresh database of `dialect` serving the built console, and Chromium. */
export async function startConsole(dialect: Dialect, opts: AppOptions = {}): Promise<ConsoleHarness> {
  chromiumPath()
  requireConsoleBuild()
  const server = await startServer(dialect, { worker: { retryBaseMs: 20, retryMaxMs: 50, pollMaxMs: 20, leaseMs: 3000 }, ...opts })
  let browser: Browser
  try {
    browser = await launchChromium()
  } catch (e) {
    await server.close()
    throw e
  }
  return {
    server,
    browser,
    async withPage(fn, o = {}) {
      const { context, page, errors } = await openPage(browser, o.viewport)
      let result: Awaited<ReturnType<typeof fn>>
      try {
        result = await fn(page, context)
      } catch (e) {
        if (errors.list.length && e instanceof Error) e.message += `\n(the page also logged: ${errors.list.join(' | ')})`
        throw e
      } finally {
        await context.close().catch(() => undefined)
      }
      const unexpected = errors.list.filter((x) => !(o.allowErrors ?? []).some((re) => re.test(x)))
      if (unexpected.length) throw new Error(`the page logged ${unexpected.length} error(s):\n  ${unexpected.join('\n  ')}`)
      return result
    },
    async close() {
      try {
        await browser.close()
      } finally {
        await server.close()
      }
    },
  }
}

/** The page's horizontal overflow in CSS pixels (0 when it has no horizontal scroll). */
export async function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
}

/** Waits until the console's page shows its heading and nothing is loading. */
export async function settled(page: Page): Promise<void> {
  await page.locator('h1').first().waitFor()
  // Every loading marker gone (a page may load several panels at once). Polled with evaluate:
  // waitForFunction evaluates a string in the page, which its CSP (no unsafe-eval) refuses.
  const loading = `[...document.querySelectorAll('[role=status]')].some((el) => /Loading/.test(el.textContent || ''))`
  for (let i = 0; (await page.evaluate(loading)) as boolean; i++) {
    if (i > 400) throw new Error('the page is still loading after 10 s')
    await new Promise((r) => setTimeout(r, 25))
  }
}

/**
 * Basic accessibility checks that need nothing but the page: the document has a language and a
 * title, every form control has an accessible name (a label, aria-label or aria-labelledby),
 * every button and link has text, and every image an alt. Answers the problems found.
 */
export async function accessibilityProblems(page: Page): Promise<string[]> {
  // A string, not a function: tsx's transform would add helpers (__name) the page lacks.
  return page.evaluate(`(() => {
    const out = []
    const what = (el) => '<' + el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.getAttribute('name') ? ' name=' + el.getAttribute('name') : '') + '>'
    const text = (s) => (s || '').trim()
    if (!document.documentElement.lang) out.push('the document has no lang')
    if (!text(document.title)) out.push('the document has no title')
    for (const el of document.querySelectorAll('input:not([type=hidden]), select, textarea')) {
      const labelled = [...(el.labels || [])].some((l) => text(l.textContent)) || text(el.getAttribute('aria-label')) || el.getAttribute('aria-labelledby')
      if (!labelled) out.push(what(el) + ' has no label')
    }
    for (const el of document.querySelectorAll('button, a[href], [role=button]')) {
      if (!(text(el.textContent) || text(el.getAttribute('aria-label')) || text(el.getAttribute('title')) || el.getAttribute('aria-labelledby'))) out.push(what(el) + ' has no text')
    }
    for (const el of document.querySelectorAll('img')) if (!el.hasAttribute('alt')) out.push(what(el) + ' has no alt')
    for (const t of document.querySelectorAll('table')) if (!t.querySelector('th')) out.push(what(t) + ' has no header cells')
    return out
  })()`)
}

/**
 * axe-core's full rule set (labels, names, contrast, landmarks, ARIA): injects its script and
 * answers the violations as lines.
 */
export async function axeViolations(page: Page): Promise<string[]> {
  const { createRequire } = await import('node:module')
  const require = createRequire(import.meta.url)
  let source: string
  try {
    source = require('node:fs').readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8')
  } catch {
    throw new Error('axe-core is not installed: add it to devDependencies (npm install --save-dev axe-core) to run this check')
  }
  // Evaluated through the DevTools protocol: the page's CSP (script-src 'self') would block a script tag.
  await page.evaluate(source)
  const violations = await page.evaluate(async () => {
    const r = await window.axe.run()
    return r.violations.map((v: { id: string; help: string; nodes: { target: string[] }[] }) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`)
  })
  return violations
}
