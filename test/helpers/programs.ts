/**
 * Programs outside `node_modules` that some tests drive. Each is found on the machine or the
 * test fails with a message naming what to install: never skipped, never silently passed.
 */
import { accessSync, constants } from 'node:fs'
import { delimiter, join } from 'node:path'

/** The first executable called `name` in `dirs`, or undefined. */
function findExecutable(name: string, dirs: string[]): string | undefined {
  for (const dir of dirs) {
    const p = join(dir, name)
    try {
      accessSync(p, constants.X_OK)
      return p
    } catch {
      // not here
    }
  }
  return undefined
}

let python: string | undefined

/**
 * A Python 3 interpreter for the interop tests, which use its standard library only
 * (`xmlrpc.client`, `urllib`, `json`). Debian's `/usr/bin/python3` first (it is the one that also
 * has Debian's `python3-*` modules), then any `python3` on PATH.
 */
export function python3(): string {
  python ??= findExecutable('python3', ['/usr/bin', ...(process.env.PATH ?? '').split(delimiter).filter(Boolean)])
  if (!python) throw new Error('this test drives the face from Python: install python3 (Debian: apt-get install python3)')
  return python
}
