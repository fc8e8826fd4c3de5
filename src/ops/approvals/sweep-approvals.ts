import type { Deps } from '../context.js'
import { findApprovalRowLocked, listGateRows, listPendingApprovalRows, listResponseRows, markGateReminded } from '../../store/approvals.repo.js'
import { noteRequest } from '../../store/jobs.repo.js'
import { refuseApproval } from './gate.js'

const DAY_MS = 86_400_000

/**
 * The approval sweep (`approval.sweep`), run every minute by every server process and by tests
 * with a controlled clock (`deps.clock`): fails each pending approval one of whose gates has
 * waited its `timeoutDays` without its acceptances (`approval timed out after N days`: the
 * request fails and the subject goes back, as for a rejection), and, every `reminderDays`,
 * writes to the request's log a reminder naming the approvers of each gate still waiting.
 * Each approval is swept in its own transaction, re-read under lock, so several processes
 * sweeping at once change it once. Answers what it did.
 */
export async function sweepApprovals(deps: Deps, limit = 500): Promise<{ timedOut: number; reminded: number }> {
  const now = deps.clock()
  let timedOut = 0
  let reminded = 0
  for (const candidate of await listPendingApprovalRows(deps.store.db, limit)) {
    await deps.store.write(async (trx) => {
      const a = await findApprovalRowLocked(trx, deps.store.dialect, candidate.id)
      if (!a || a.status !== 'Pending') return
      const since = Date.parse(a.requested_at)
      const gates = await listGateRows(trx, [a.id])
      const responses = await listResponseRows(trx, [a.id])
      const waiting = gates.filter((g) => responses.filter((r) => r.gate_id === g.id && r.status === 'Accepted').length < g.required)
      const expired = waiting.filter((g) => g.timeout_days > 0 && now >= since + g.timeout_days * DAY_MS)
      if (expired.length > 0) {
        const days = Math.min(...expired.map((g) => g.timeout_days))
        if (await refuseApproval(trx, a, now, 'TimedOut', `approval timed out after ${days} day${days === 1 ? '' : 's'}`)) timedOut++
        return
      }
      for (const g of waiting) {
        if (g.reminder_days <= 0) continue
        const last = g.reminded_at ? Date.parse(g.reminded_at) : since
        if (now < last + g.reminder_days * DAY_MS) continue
        const who = responses.filter((r) => r.gate_id === g.id && r.status === 'Pending').map((r) => r.username)
        await noteRequest(trx, a.request_id, now, 'info', `approval reminder (${g.provider}): waiting for ${who.join(', ') || 'nobody left to answer'}`)
        await markGateReminded(trx, g.id, new Date(now).toISOString())
        reminded++
      }
    })
  }
  return { timedOut, reminded }
}
