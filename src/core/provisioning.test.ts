import { it } from 'node:test'
import assert from 'node:assert/strict'
import { canMove, parseProvisioningStatus, provisioningInfo, PROVISIONING_STATUSES } from './provisioning.js'

it("answers each status with seed 004's label and colour", () => {
  assert.deepEqual(
    PROVISIONING_STATUSES.map((s) => [provisioningInfo(s).label, provisioningInfo(s).colour]),
    [
      ['Not provisioned', 'Grey'],
      ['Provisioning requested', 'Yellow'],
      ['Provisioning in progress', 'Orange'],
      ['Provisioned', 'Green'],
      ['Provisioning failed', 'Red'],
      ['Pending Changes', 'Blue'],
    ],
  )
})

it("parses statuses as the seed's requests write them", () => {
  assert.equal(parseProvisioningStatus('Notprovisioned'), 'NotProvisioned')
  assert.equal(parseProvisioningStatus(' provisioned '), 'Provisioned')
  assert.equal(parseProvisioningStatus('Done'), undefined)
})

it('allows the provisioning path and refuses shortcuts', () => {
  for (const [a, b] of [['NotProvisioned', 'Requested'], ['Requested', 'InProgress'], ['InProgress', 'Provisioned'], ['InProgress', 'Failed'], ['Failed', 'Requested'], ['Provisioned', 'Requested'], ['Pending', 'Requested']] as const) {
    assert.equal(canMove(a, b), true, `${a} → ${b}`)
  }
  for (const [a, b] of [['NotProvisioned', 'Provisioned'], ['NotProvisioned', 'InProgress'], ['Requested', 'Provisioned'], ['Provisioned', 'Failed'], ['Provisioned', 'NotProvisioned']] as const) {
    assert.equal(canMove(a, b), false, `${a} → ${b}`)
  }
})
