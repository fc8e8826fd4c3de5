import type { Migration } from 'kysely'
import type { Dialect } from '../store.js'
import { foundation } from './2026-11-23-0001-foundation.js'
import { idempotencyHeaders } from './2026-11-23-0003-idempotency-headers.js'
import { usersEmail } from './2026-11-23-0004-users-email.js'
import { dropCreatedAtIndex } from './2026-11-23-0005-drop-created-at-index.js'
import { requests } from './2026-11-23-0007-requests.js'
import { consoleSearch } from './2026-12-07-0013-console-search.js'
import { siblingIndex } from './2026-11-23-0008-sibling-index.js'
import { cloudAccounts } from './2026-11-23-0002-cloud-accounts.js'
import { catalog } from './2026-11-23-0006-catalog.js'
import { jobs } from './2026-11-23-0009-jobs.js'
import { services } from './2026-11-23-0010-services.js'
import { requestUserError } from './2026-11-23-0011-request-user-error.js'
import { plansSubscriptions } from './2026-11-23-0012-plans-subscriptions.js'
import { capacity } from './2026-11-23-0013-capacity.js'
import { domains } from './2026-11-23-0014-domains.js'
import { throttleDigests } from './2026-12-04-0001-throttle-digests.js'
import { planHosting } from './2026-12-06-0001-plan-hosting.js'
import { orgSettings } from './2026-12-06-0002-org-settings.js'
import { apiKeyRoles } from './2026-12-06-0003-api-key-roles.js'
import { loginExtras } from './2026-12-06-0004-login-extras.js'
import { loginLinks } from './2026-12-06-0005-login-links.js'
import { mailRecovery } from './2026-12-06-0006-mail-recovery.js'
import { loginPins } from './2026-12-06-0007-login-pins.js'
import { approvals } from './2026-12-07-0001-approvals.js'
import { reports } from './2026-12-07-0002-reports.js'
import { seed004Core } from './2026-12-07-0003-seed004-core.js'
import { bandwidth } from './2026-12-07-0009-bandwidth.js'
import { settingsFtp } from './2026-12-07-0007-settings-ftp.js'
import { ipPools } from './2026-12-07-0006-ip-pools.js'
import { account } from './2026-12-07-0010-account.js'
import { noticesContacts } from './2026-12-07-0008-notices-contacts.js'
import { sites } from './2026-12-07-0012-sites.js'
import { cancellations } from './2026-12-07-0011-cancellations.js'
import { idempotencyJournal } from './2026-12-08-0001-idempotency-journal.js'

/** Every migration, by name; names sort in the order they run. */
export function migrations(dialect: Dialect): Record<string, Migration> {
  return {
    '2026-11-23-0001-foundation': foundation(dialect),
    '2026-11-23-0002-cloud-accounts': cloudAccounts,
    '2026-11-23-0003-idempotency-headers': idempotencyHeaders(),
    '2026-11-23-0004-users-email': usersEmail(),
    '2026-11-23-0005-drop-created-at-index': dropCreatedAtIndex(),
    '2026-11-23-0006-catalog': catalog(dialect),
    '2026-11-23-0007-requests': requests(dialect),
    '2026-11-23-0008-sibling-index': siblingIndex(),
    '2026-11-23-0009-jobs': jobs(dialect),
    '2026-11-23-0010-services': services(dialect),
    '2026-11-23-0011-request-user-error': requestUserError(),
    '2026-11-23-0012-plans-subscriptions': plansSubscriptions(dialect),
    '2026-11-23-0013-capacity': capacity(dialect),
    '2026-11-23-0014-domains': domains(dialect),
    '2026-12-04-0001-throttle-digests': throttleDigests(),
    '2026-12-06-0001-plan-hosting': planHosting(),
    '2026-12-06-0002-org-settings': orgSettings(dialect),
    '2026-12-06-0003-api-key-roles': apiKeyRoles(),
    '2026-12-06-0004-login-extras': loginExtras(dialect),
    '2026-12-06-0005-login-links': loginLinks(),
    '2026-12-06-0006-mail-recovery': mailRecovery(dialect),
    '2026-12-06-0007-login-pins': loginPins(),
    '2026-12-07-0001-approvals': approvals(),
    '2026-12-07-0002-reports': reports(dialect),
    '2026-12-07-0003-seed004-core': seed004Core(dialect),
    '2026-12-07-0009-bandwidth': bandwidth(),
    '2026-12-07-0007-settings-ftp': settingsFtp(dialect),
    '2026-12-07-0006-ip-pools': ipPools(),
    '2026-12-07-0008-notices-contacts': noticesContacts(dialect),
    '2026-12-07-0012-sites': sites(dialect),
    '2026-12-07-0011-cancellations': cancellations(),
    '2026-12-07-0010-account': account(),
    '2026-12-07-0013-console-search': consoleSearch(),
    '2026-12-08-0001-idempotency-journal': idempotencyJournal(),
  }
}
