/** The process-local bell that wakes idle workers when this process queues a job. */
import type { JobBell } from '../ops/context.js'

/** Makes a bell; rings are delivered on the next turn, after the queuing transaction had its chance to commit. */
export function createJobBell(): JobBell {
  const listeners = new Set<() => void>()
  return {
    ring() {
      for (const fn of listeners) fn()
    },
    listen(fn) {
      listeners.add(fn)
      return () => listeners.delete(fn)
    },
  }
}
