/**
 * Which of Enhance's operations (test/fixtures/enhance/) Clientele serves, by the test file that
 * holds each one to the document, and which it does not, with the reason (the README says the
 * same, at more length). test/faces/rest/enhance-coverage.test.ts checks that the two lists
 * together are exactly the document's operations, that every one is named in the README, and
 * that the ones not served answer 404.
 */

/** The operations each conformance test exercises; each test asserts its own list exactly. */
export const COVERED = {
  'enhance-conformance.test.ts': [
    'getOrg', 'updateOrg', 'deleteOrg', 'getOrgCustomers', 'createCustomer', 'createSession', 'getLogin', 'getLoginMemberships',
    'getSessions', 'deleteSession', 'deleteCurrentSession', 'deleteSessions', 'getCustomersAdded', 'getTags', 'createTag',
  ],
  'enhance-plans.test.ts': [
    'getPlans', 'createPlan', 'getPlan', 'updatePlan', 'deletePlan', 'createPlanResources', 'updatePlanResource',
    'createPlanAllowances', 'updatePlanAllowance', 'deletePlanAllowance', 'createPlanSelections', 'updatePlanSelection',
    'getSubscriptionsToParent', 'getSubscription', 'updateSubscription', 'deleteSubscription', 'getCustomerSubscriptions',
    'createCustomerSubscription', 'calculateResourceUsage', 'getSubscriptionBandwidthUsage',
  ],
  'enhance-members.test.ts': [
    'createLogin', 'getLogins', 'getOrgLogins', 'updateLoginInfo', 'getMembers', 'createMember', 'getMember', 'updateMember',
    'deleteMember', 'updateOwner', 'deleteOwner', 'getAccessTokens', 'createAccessToken', 'updateAccessToken', 'deleteAccessToken',
  ],
  'enhance-sso.test.ts': ['getOrgMemberLogin', 'createOtpSession'],
  'enhance-login-extras.test.ts': [
    'setUiPreferences', 'getUiPreferences', 'updateUiPreferences', 'setLoginAvatar', 'deleteLoginAvatar', 'setOrgAvatar', 'deleteOrgAvatar',
  ],
  'enhance-recovery.test.ts': ['startPasswordRecovery', 'validatePasswordRecovery', 'finishPasswordRecovery'],
  'enhance-2fa.test.ts': ['verify2FA', 'resendPin'],
} as const

/** The operations Clientele does not serve, each a deliberate difference, with why. */
export const NOT_SERVED: Record<string, string> = {
  getWebsitesAdded: 'no website rows: websites are a usage figure the hosting platform reports, with no record of when one was added',
  getEmails: 'Clientele hosts no mail',
  getCloudflareApiKeys: 'Clientele drives no DNS provider, and CloudFlareApiKey would answer a credential',
  createCloudflareApiKey: 'Clientele drives no DNS provider',
  updateCloudflareApiKey: 'Clientele drives no DNS provider',
  deleteCloudflareApiKey: 'Clientele drives no DNS provider',
  getCloudFlareKeyAffectedDomains: 'Clientele drives no DNS provider',
  getInstallableApps: 'Clientele keeps no catalogue of application versions; allowedApps says which kinds the platform may install',
}
