import { it } from 'node:test'
import assert from 'node:assert/strict'
import { codeFromName } from './ids.js'
import { cloudApiStatus, coreStatusesFor, enhanceOrgStatus, enhanceStatus, isSuspendedStatus, ORG_STATUSES } from './status.js'
import { can, enhanceRoles, mayGrant, roleFromEnhance, ROLES } from './roles.js'

it('derives short codes from initials', () => {
  assert.equal(codeFromName('Basic API Customer'), 'BAC')
  assert.equal(codeFromName('  élan   vital '), 'EV')
  assert.equal(codeFromName('acme-hosting.co uk'), 'AHCU')
  assert.equal(codeFromName('!!!'), 'ORG')
  assert.equal(codeFromName('a b c d e f g h i j'), 'ABCDEFGH')
})

it('maps every lifecycle status to each seed, and back for filters', () => {
  assert.deepEqual(ORG_STATUSES.map(enhanceStatus), ['active', 'active', 'suspended', 'suspended', 'deleted'])
  assert.deepEqual(ORG_STATUSES.map(enhanceOrgStatus), ['active', 'active', 'active', 'active', 'deleted'])
  assert.deepEqual(ORG_STATUSES.map(isSuspendedStatus), [false, false, true, true, false])
  assert.deepEqual(ORG_STATUSES.map(cloudApiStatus), ['ACTIVE', 'CONFIGURED', 'DISABLED', 'DISABLED', 'DISABLED'])
  assert.deepEqual(coreStatusesFor('active'), ['active', 'configured'])
  assert.deepEqual(coreStatusesFor('suspended'), ['suspended', 'disabled'])
})

it("maps roles to seed 003's names and back", () => {
  for (const r of ROLES) for (const e of enhanceRoles(r)) assert.equal(roleFromEnhance(e), r)
  assert.deepEqual(enhanceRoles('readonly'), [])
})

it('grants only roles a granter could hold; superadmin only by superadmin', () => {
  assert.equal(mayGrant('owner', 'superadmin'), false)
  assert.equal(mayGrant('superadmin', 'superadmin'), true)
  assert.equal(mayGrant('admin', 'owner'), false)
  assert.equal(mayGrant('admin', 'member'), true)
  assert.equal(can('readonly', 'org.write'), false)
  assert.equal(can('billing', 'org.billing'), true)
})
