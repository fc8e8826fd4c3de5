/**
 * The Kysely database type: one interface per table, columns in snake_case as stored.
 *
 * Portable choices: booleans are integers 0/1 (better-sqlite3 cannot bind booleans), times are
 * ISO-8601 UTC text with milliseconds (they sort as text; PostgreSQL columns that are sorted on
 * use the "C" collation so both databases order bytes the same way), JSON is text.
 */
import type { Generated } from 'kysely'

export interface OrgTable {
  number: Generated<number>
  id: string
  parent_id: string | null
  /** Materialised path of org numbers, `/1/42/97/`: a subtree is one range on this column. */
  path: string
  depth: number
  code: string
  name: string
  description: string
  address: string
  city: string
  country: string
  contact_name: string
  contact_email: string
  primary_domain: string
  billing_id: string
  external_id: string
  external_metadata: string
  licensing_enabled: number
  skin_names: string
  is_reseller: number
  status: string
  enabled: number
  locale: string
  suspended_by: string | null
  subscriptions_count: number
  websites_count: number
  created_at: string
  updated_at: string
  version: number
  /** 0 while live; the organisation's own number once deleted (frees its name among siblings). */
  tombstone: Generated<number>
  /** The organisation's reseller subscription (not deleted), when it is a metered reseller (migration 0012). */
  reseller_sub_id?: number | null
  /**
   * The retention policy the organisation follows, `''` for none (migration 0014; defaults to
   * `''`, so inserts may leave it out).
   */
  retention_policy_guid?: string
  /**
   * The Slack incoming-webhook URL, sealed (core/sealed.ts; bound to `orgSlackWebhookAad`), or
   * null for none (migration 2026-12-06-0002; defaults to null, so inserts may leave it out).
   */
  slack_webhook_sealed?: string | null
  /**
   * The SHA-256 (hex) of the organisation's avatar (`avatars`, owner `org:<id>`), or null for
   * none (migration 2026-12-06-0004; defaults to null, so inserts may leave it out).
   */
  avatar_sha256?: string | null
  /** 1 when its users' passwords may be set never to expire (migration 2026-12-07-0003, default 1). */
  password_never_expires_allowed?: number
  /** The customer's provisioning status (a core/provisioning.ts status; migration 2026-12-07-0003, default `Provisioned`). */
  provisioning_status?: string
}

/** How many organisations of each status sit at each depth below an ancestor. */
export interface OrgCountTable {
  ancestor: number
  rel_depth: number
  status: string
  n: number
}

export interface CodeCounterTable {
  prefix: string
  next: number
}

export interface UserTable {
  id: string
  org_id: string
  username: string
  username_key: string
  email: string
  first_name: string
  last_name: string
  password_hash: string
  /** Bumped whenever the password changes or the user is disabled: invalidates cached credentials. */
  cred_version: number
  role: string
  enabled: number
  created_at: string
  updated_at: string
  version: number
  /**
   * The SHA-256 (hex) of the user's avatar (`avatars`, owner `login:<id>`), or null for none
   * (migration 2026-12-06-0004; defaults to null, so inserts may leave it out).
   */
  avatar_sha256?: string | null
  /**
   * How a password login goes on (a core `AuthMethod`): `basic` opens a session, `email` asks
   * for a mailed PIN first (migration 2026-12-06-0007; defaults to `basic`).
   */
  auth_method?: string
  /** The user's manager, a user of the same organisation (migration 2026-12-07-0001; null: none). */
  manager_user_id?: string | null
  /** Null, or `pending-create` / `pending-delete` while that waits for approval (migration 2026-12-07-0001). */
  approval_state?: string | null
  /** 1 while the user must change its password (seed 004's `changeatnextlogon`; migration 2026-12-07-0003, default 0). */
  change_password_at_next_logon?: number
  /** The day (`YYYY-MM-DD`, UTC) from which the password is refused; null: never (migration 2026-12-07-0003). */
  password_expires_at?: string | null
  /** The day (`YYYY-MM-DD`, UTC) from which the user cannot authenticate; null: never (migration 2026-12-07-0003). */
  account_expires_at?: string | null
}

export interface GroupTable {
  id: string
  org_id: string
  name: string
  description: string
  created_at: string
}

export interface GroupMemberTable {
  group_id: string
  user_id: string
  created_at: string
}

export interface ApiKeyTable {
  id: string
  user_id: string
  org_id: string
  name: string
  type: string
  secret_hash: string
  created_at: string
  expires_at: string | null
  /** Number of ACL entries, kept with them so that a key without ACLs costs no extra query. */
  acl_count: number
  /** The role the key acts with at most (a `Role`); null: its user's role. */
  role: string | null
}

export interface ApiKeyAclTable {
  id: Generated<number>
  key_id: string
  address: string
  mask: number
  created_at: string
}

export interface SessionTable {
  id_hash: string
  user_id: string
  created_at: string
  expires_at: string
}

/** A one-time login link not yet used (see migration 2026-12-06-0005). */
export interface LoginLinkTable {
  /** SHA-256 of the link's one-time password, hex. */
  otp_hash: string
  user_id: string
  /** The member's credential version when the link was made: a later one voids it. */
  cred_version: number
  /** The member's role when the link was made: another one voids it. */
  role: string
  /** The request that made the link. */
  request_guid: string
  created_at: string
  expires_at: string
}

/** A login waiting for its mailed PIN (see migration 2026-12-06-0007). */
export interface LoginChallengeTable {
  /** SHA-256 of the pending cookie's token, hex. */
  token_hash: string
  user_id: string
  /** The user's credential version when the challenge was made: a later one voids it. */
  cred_version: number
  /** The keyed digest (HMAC under the sealing key) of the PIN mailed last, bound to the token. */
  pin_hash: string
  /** PINs tried, right or wrong. */
  attempts: number
  /** PINs mailed (the first and each resend). */
  sends: number
  created_at: string
  expires_at: string
}

export interface AuthThrottleTable {
  account: string
  failures: number
  window_start: string
  locked_until: string | null
}

export interface IdempotencyTable {
  owner: string
  key: string
  request_hash: string
  state: string
  status_code: number | null
  body: string | null
  /** JSON object of the headers a replay carries (content-type, location, etag). */
  headers: string | null
  /** JSON object of the writes an in-flight call committed (ops/idempotency.ts); null once answered. */
  journal: string | null
  /** `base64` when `body` is a binary answer so encoded; null for text. */
  body_encoding: string | null
  created_at: string
}

export interface CloudProviderTable {
  id: string
  name: string
  disambiguation: string
  required_credentials: string
  discoverable: number
  cse_syntax: string
  standalone_incompatible: number
  created_at: string
}

export interface OrgCloudProviderTable {
  org_id: string
  provider_id: string
  created_at: string
}

export interface CloudAccountTable {
  id: string
  org_id: string
  provider_id: string
  name: string
  servers: number
  created_at: string
}

/** A request: one mutation, recorded with its actor, target, status, log and times. */
export interface RequestTable {
  id: Generated<number>
  guid: string
  parent_id: number | null
  operation: string
  actor_user_id: string | null
  actor_org_id: string | null
  via: string
  target: string
  scope_path: string
  status: string
  /** JSON array of {at, level, message}, or null when nothing was logged beyond the times. */
  log: string | null
  error: string | null
  /** JSON object of stage name → {startedAt, finishedAt}, for requests with stages. */
  stages: string | null
  max_duration_ms: number | null
  received_at: string
  started_at: string | null
  finished_at: string | null
  /** The caller's `executionparams.userErrormsg`: answered as the error when the request fails (migration 0011). */
  user_error: string | null
}

/** A job: the slow part of a request, run by a worker under a lease (see src/jobs/). */
export interface JobTable {
  id: Generated<number>
  guid: string
  request_id: number
  kind: string
  /** JSON; never a secret in clear. */
  payload: string
  /** queued | running | waiting | succeeded | failed */
  status: string
  attempts: number
  max_attempts: number
  run_after: string
  lease_owner: string | null
  lease_until: string | null
  deadline_at: string | null
  /** JSON: the driver's result. */
  result: string | null
  last_error: string | null
  created_at: string
  updated_at: string
  finished_at: string | null
}

/** A service of the catalogue (`HE`, `FSS`, …); `name_key` is the case-folded name, unique. */
export interface ServiceTable {
  id: string
  name: string
  name_key: string
  display_name: string
  version: string
  description: string
  /** The provisioning driver's name (`noop`, `webhook`). */
  driver: string
  /** JSON object: the driver's settings (a webhook URL, …). */
  driver_config: string
  multiple_user_plans: number
  created_at: string
  updated_at: string
}

export interface ServicePackageTable {
  id: string
  service_id: string
  name: string
  name_key: string
  display_name: string
  description: string
  created_at: string
  updated_at: string
}

export interface ServicePlanTable {
  id: string
  service_id: string
  name: string
  name_key: string
  fullname: string
  /** Users the plan may be given to; NULL is `Unlimited`. */
  user_limit: number | null
  created_at: string
  updated_at: string
}

export interface ServicePropertyTable {
  id: string
  service_id: string
  name: string
  name_key: string
  value: string
  hidden: number
  created_at: string
  updated_at: string
}

export interface LocationTable {
  id: string
  name: string
  name_key: string
  description: string
  /** JSON array of `{ name, value, hidden }`. */
  customer_properties: string
  /** JSON array of `{ name, value, hidden }` (a user's Active Directory properties). */
  user_additional_properties: string
  created_at: string
  updated_at: string
}

/** The services offered at a location. */
export interface LocationServiceTable {
  location_id: string
  service_id: string
}

/** A catalogue service as provisioned to a customer (migration 0010). */
export interface CustomerServiceTable {
  id: string
  org_id: string
  service_id: string
  location_id: string | null
  /** A core/provisioning.ts status. */
  status: string
  /** Where the latest request takes it: `provisioned` or `notprovisioned`. */
  desired: string
  /** NULL is `Unlimited`. */
  user_limit: number | null
  users_count: number
  is_billed: number
  /** JSON object {name: value}. */
  properties: string
  request_id: number | null
  error: string | null
  version: number
  created_at: string
  updated_at: string
  provisioned_at: string | null
}

export interface CustomerServicePackageTable {
  customer_service_id: string
  package_id: string
  enabled: number
}

export interface CustomerServicePlanTable {
  customer_service_id: string
  plan_id: string
  enabled: number
  user_limit: number | null
  users_count: number
}

export interface CustomerServiceInstanceTable {
  id: string
  customer_service_id: string
  name: string
  name_key: string
  description: string
  /** JSON object {name: value}. */
  properties: string
  created_at: string
}

/** A customer service as provisioned to one of the customer's users. */
export interface UserServiceTable {
  id: string
  user_id: string
  customer_service_id: string
  status: string
  desired: string
  properties: string
  request_id: number | null
  error: string | null
  version: number
  created_at: string
  updated_at: string
  provisioned_at: string | null
}

export interface UserServicePlanTable {
  user_service_id: string
  plan_id: string
}

export interface UserServiceInstanceTable {
  user_service_id: string
  instance_id: string
}

/** A resource name plans may use (`websites`, `diskspace`, …); migration 0012. */
export interface ResourceNameTable {
  name: string
  name_key: string
  created_at: string
}

export interface ServerGroupTable {
  id: string
  name: string
  name_key: string
  created_at: string
  updated_at: string
  version: number
}

export interface ServerTable {
  id: string
  name: string
  name_key: string
  group_id: string | null
  /** JSON array of roles: app, backup, db, email, postgresql. */
  roles: string
  /** Its address, '' when not given (migration 2026-12-06-0001). */
  ip: string
  created_at: string
  updated_at: string
  version: number
}

/** Where a plan's or subscription's resources are placed: a server group, or servers by role. */
export interface PlacementColumns {
  server_group_id: string | null
  app_server_id: string | null
  backup_server_id: string | null
  db_server_id: string | null
  email_server_id: string | null
  postgresql_server_id: string | null
}

/** A plan an organisation sells (migration 0012). */
export interface PlanTable extends PlacementColumns {
  id: Generated<number>
  org_id: string
  name: string
  name_key: string
  /** hosting | reseller */
  plan_type: string
  /** JSON object: the hosting settings (core/plans.ts PlanHosting); `{}` reads as the defaults. */
  hosting: string
  /** The catalogue service whose driver is handed the plan's subscriptions; NULL: none. */
  provisioning_service: string | null
  /** Live (not deleted) subscriptions to the plan. */
  subscriptions_count: number
  /** 0 while live; the plan's id once deleted. */
  tombstone: number
  created_at: string
  updated_at: string
  version: number
}

export interface PlanResourceTable {
  plan_id: number
  name: string
  /** NULL is unlimited. */
  total: number | null
}

/** An organisation's subscription to a plan of its parent (migration 0012). */
export interface SubscriptionTable extends PlacementColumns {
  id: Generated<number>
  plan_id: number
  subscriber_id: string
  vendor_id: string
  plan_type: string
  friendly_name: string
  /** active | cancelled | deleted */
  status: string
  is_suspended: number
  suspended_by: string | null
  /** The reseller subscription this one's amounts are drawn from, while it holds them. */
  drawn_from: number | null
  /** JSON object: the plan's hosting settings when it subscribed or last had its plan set. */
  hosting: string
  /** A core/provisioning.ts status: how the latest hand-over to the plan's service went. */
  provisioning_status: string
  /** The request of that hand-over. */
  request_id: number | null
  created_at: string
  updated_at: string
  version: number
}

export interface SubscriptionResourceTable {
  subscription_id: number
  name: string
  /** NULL is unlimited. */
  total: number | null
  usage: number
}

/** A capacity unit type (`CU`, `SUP`, …; seed 000), migration 0013. */
export interface CapacityUnitTypeTable {
  code: string
  description: string
  created_at: string
}

/** An entry of an organisation's available or consumed capacity. */
export interface OrgCapacityTable {
  id: Generated<number>
  org_id: string
  kind: string
  unit_type: string
  /** bigint: PostgreSQL answers it as text, SQLite as a number. */
  amount: number | string
  name: string
  description: string
  created_at: string
}

/**
 * A domain name an organisation holds (seed 000's `registerDomain`), migration 0014. `name` is
 * the ASCII (punycode) form, lower case, unique across all organisations.
 */
export interface DomainTable {
  id: string
  org_id: string
  name: string
  unicode_name: string
  /** The registrar holding it: a `registrars.name`, or `local` (the built-in registrar). */
  registrar: string
  /** pending (reserved while the registrar is asked) | registered | unregistering */
  status: string
  created_at: string
  updated_at: string
}

/** A registrar domains are registered with (data of the master organisation), migration 0014. */
export interface RegistrarTable {
  name: string
  /** local | webhook */
  driver: string
  /** JSON object: `{url, timeoutSeconds, secret}` for a webhook, its `secret` sealed. */
  config: string
  /** JSON array of the TLDs it is chosen for. */
  tlds: string
  /** 1 for the one registrar taking the TLDs no registrar lists. */
  is_default: number
  created_at: string
  updated_at: string
}

/** An organisation's tag (seed 003's `Tag`): a name unique within the organisation, and a colour. */
export interface OrgTagTable {
  id: Generated<number>
  org_id: string
  tag: string
  color_code: string
  created_at: string
}

/** A login's panel preferences (seed 003's `UiPreferences`), one row per user (migration 2026-12-06-0004). */
export interface UiPreferencesTable {
  user_id: string
  file_manager_view: string
  website_view: string
  spine_open: number
  file_manager_editor_fullscreen: number
  /** JSON array of server group ids. */
  server_groups: string
  onboarding_card_dismissed: number
  created_at: string
  updated_at: string
  version: number
}

/** An avatar picture, one per owner (`login:<user id>`, `org:<org id>`) (migration 2026-12-06-0004). */
export interface AvatarTable {
  owner: string
  /** Hex SHA-256 of `bytes`: the avatar's public id and strong ETag. */
  sha256: string
  content_type: string
  size: number
  bytes: Uint8Array
  /** 1 on the first upload, +1 on each replacement. */
  version: number
  created_at: string
  updated_at: string
}

/** A message in the mail outbox; `body` is sealed, bound to `guid` (migration 2026-12-06-0006). */
export interface MailOutboxTable {
  id: Generated<number>
  guid: string
  recipient: string
  subject: string
  body: string
  /** held | queued | sent | failed */
  state: string
  attempts: number
  last_error: string | null
  request_id: number | null
  created_at: string
  sent_at: string | null
  failed_at: string | null
}

/** A password recovery secret, by its SHA-256 digest; single use, bound to the user's credential version. */
export interface PasswordRecoveryTable {
  secret_hash: string
  user_id: string
  cred_version: number
  created_at: string
  expires_at: string
  used_at: string | null
}

/**
 * A report definition (migration 2026-12-07-0002). The views reports read
 * (`report_base_customers`, `_users`, `_services`, `_requests`) are not in this type: only the
 * report runner reads them, with SQL of its own (src/ops/reports/).
 */
export interface ReportDefinitionTable {
  id: string
  name: string
  /** The name lower-cased: unique. */
  name_key: string
  description: string
  /** JSON array of {name, type, required, default?}. */
  parameters: string
  query: string
  created_at: string
  updated_at: string
}

/** A named value kept on a user, an organisation or a customer service (migration 2026-12-07-0003). */
export interface UserPropertyTable {
  user_id: string
  name: string
  value: string
}
export interface OrgPropertyTable {
  org_id: string
  name: string
  value: string
}
export interface ServiceResourceConfigTable {
  customer_service_id: string
  name: string
  value: string
}

/** A distribution group of a customer service (migration 2026-12-07-0003). */
export interface ExchangeGroupTable {
  id: string
  customer_service_id: string
  display_name: string
  /** `display_name` lower-cased: unique within the service, and what the name filter reads. */
  display_name_key: string
  sync_object_id: string
  path: string
  email: string
  email_key: string
  email_alias: string
  mail_tip: string
  group_type: string
  enabled: number
  hide_from_address_lists: number
  require_sender_authentication: number
  member_join_restriction: string
  member_depart_restriction: string
  send_moderation_notifications: string
  /** JSON array of strings. */
  email_addresses: string
  created_at: string
  updated_at: string
}

/** One entry of one of a group's lists (`kind`: member, owner, sendas, accepted, rejected). */
export interface ExchangeGroupMemberTable {
  id: Generated<number>
  group_id: string
  kind: string
  display_name: string
  sync_object_id: string
  path: string
  email: string
  enabled: number
  user_id: string | null
}

/** A mail contact of a customer service (migration 2026-12-07-0003). */
export interface ExchangeContactTable {
  id: string
  customer_service_id: string
  display_name: string
  display_name_key: string
  sync_object_id: string
  /** `sync_object_id` lower-cased, what the sync filter reads. */
  sync_key: string
  path: string
  enabled: number
  hide_from_address_lists: number
  /** JSON object of the contact's text fields (email, names, phones, address, ...). */
  fields: string
  created_at: string
  updated_at: string
}

/** A customer's setting (migration 2026-12-07-0007). */
export interface CustomerSettingTable {
  org_id: string
  name: string
  value: string
  updated_at: string
}

/** A customer-controlled FTP user (migration 2026-12-07-0007). */
export interface FtpUserTable {
  id: string
  org_id: string
  name: string
  username: string
  /** `username` lower-cased; unique across the system. */
  username_key: string
  /** argon2id PHC string; never leaves the store through a read model. */
  password_hash: string
  relative_root: string
  type: string
  site_name: string | null
  environment_name: string | null
  created_at: string
  updated_at: string
}

/** Catalogues of seed 001 (migration 2026-12-07-0008): notice types and contact methods. */
export interface CatalogueEntryTable {
  id: number
  code: string
  name: string
}

/** A notice: `org_id` set for one customer, null for every organisation under `scope_path`. */
export interface NoticeTable {
  id: Generated<number>
  org_id: string | null
  scope_path: string
  author_org_id: string
  notice_type_id: number
  subject: string
  body: string
  created_at: string
  updated_at: string
}

/** A customer's cancellation request (migration 2026-12-07-0011; core/cancellations.ts). */
export interface CancellationTable {
  id: string
  org_id: string
  /** At most 2000 characters. */
  reason: string
  /** requested | approved | cancelled | withdrawn | rejected; one open (requested, approved) per org. */
  status: string
  requested_by: string | null
  /** The guid of the request `cancellation.request` recorded. */
  request_guid: string
  approval_id: string | null
  /** The end of the billing period; NULL until approved. */
  effective_at: string | null
  created_at: string
  updated_at: string
  closed_at: string | null
}

export interface NoticeAckTable {
  notice_id: number
  org_id: string
  acknowledged_at: string
}

export interface ContactTable {
  id: Generated<number>
  org_id: string
  name: string
  email: string | null
  phone: string | null
  created_at: string
  updated_at: string
}

/** A contact's contact method (seed 001's CustomerContactMethod); `secret` sealed (webhooks). */
export interface ContactMethodLinkTable {
  id: Generated<number>
  contact_id: number
  org_id: string
  method_id: number
  address: string
  /** JSON object of strings (the seed's `options`). */
  options: string
  secret: string | null
  created_at: string
}

/** A contact method's subscription to a notice type (seed 001's CustomerContactMethodNotice). */
export interface ContactMethodNoticeTable {
  id: Generated<number>
  contact_method_id: number
  notice_type_id: number
  options: string
  created_at: string
}

/** One notice's delivery to one contact method: queued | sent | failed | undeliverable. */
export interface NoticeDeliveryTable {
  notice_id: number
  contact_method_id: number
  method: string
  state: string
  error: string | null
  updated_at: string
}

export interface Database {
  orgs: OrgTable
  jobs: JobTable
  org_counts: OrgCountTable
  code_counters: CodeCounterTable
  users: UserTable
  groups: GroupTable
  group_members: GroupMemberTable
  api_keys: ApiKeyTable
  api_key_acls: ApiKeyAclTable
  sessions: SessionTable
  login_links: LoginLinkTable
  login_challenges: LoginChallengeTable
  auth_throttle: AuthThrottleTable
  idempotency_keys: IdempotencyTable
  cloud_providers: CloudProviderTable
  org_cloud_providers: OrgCloudProviderTable
  cloud_accounts: CloudAccountTable
  services: ServiceTable
  service_packages: ServicePackageTable
  service_plans: ServicePlanTable
  service_properties: ServicePropertyTable
  locations: LocationTable
  location_services: LocationServiceTable
  customer_services: CustomerServiceTable
  customer_service_packages: CustomerServicePackageTable
  customer_service_plans: CustomerServicePlanTable
  customer_service_instances: CustomerServiceInstanceTable
  user_services: UserServiceTable
  user_service_plans: UserServicePlanTable
  user_service_instances: UserServiceInstanceTable
  requests: RequestTable
  resource_names: ResourceNameTable
  server_groups: ServerGroupTable
  servers: ServerTable
  plans: PlanTable
  plan_resources: PlanResourceTable
  subscriptions: SubscriptionTable
  subscription_resources: SubscriptionResourceTable
  capacity_unit_types: CapacityUnitTypeTable
  org_capacity: OrgCapacityTable
  domains: DomainTable
  registrars: RegistrarTable
  org_tags: OrgTagTable
  ui_preferences: UiPreferencesTable
  avatars: AvatarTable
  mail_outbox: MailOutboxTable
  contact_notice_types: CatalogueEntryTable
  contact_methods: CatalogueEntryTable
  notices: NoticeTable
  notice_acks: NoticeAckTable
  cancellations: CancellationTable
  contacts: ContactTable
  contact_method_links: ContactMethodLinkTable
  contact_method_notices: ContactMethodNoticeTable
  notice_deliveries: NoticeDeliveryTable
  password_recoveries: PasswordRecoveryTable
  user_properties: UserPropertyTable
  org_properties: OrgPropertyTable
  service_resource_config: ServiceResourceConfigTable
  exchange_groups: ExchangeGroupTable
  exchange_group_members: ExchangeGroupMemberTable
  exchange_contacts: ExchangeContactTable
  customer_settings: CustomerSettingTable
  ftp_users: FtpUserTable
  report_definitions: ReportDefinitionTable
  approval_providers: ApprovalProviderTable
  approval_group_members: ApprovalGroupMemberTable
  approval_requests: ApprovalRequestTable
  approval_gates: ApprovalGateTable
  ip_pools: IpPoolTable
  ip_addresses: IpAddressTable
  approval_responses: ApprovalResponseTable
  bandwidth_samples: BandwidthSampleTable
  sites: SiteTable
  site_aliases: SiteAliasTable
  site_containers: SiteContainerTable
  site_environments: SiteEnvironmentTable
  site_dns_records: SiteDnsRecordTable
  customer_pins: CustomerPinTable
  email_changes: EmailChangeTable
}

/** A customer's support PIN (migration 2026-12-07-0010): an argon2id PHC string, never the PIN. */
export interface CustomerPinTable {
  org_id: string
  pin_hash: string
  updated_at: string
}

/** An e-mail change waiting for confirmation (migration 2026-12-07-0010), by the SHA-256 of its token. */
export interface EmailChangeTable {
  token_hash: string
  user_id: string
  org_id: string
  new_email: string
  created_at: string
  expires_at: string
}

/** An approval provider of an organisation: "Workflow Managers" (`kind` managers) or one group of "Workflow Groups" (`kind` group). */
export interface ApprovalProviderTable {
  id: string
  org_id: string
  kind: string
  /** The group's name (empty for managers) and its case-folded key. */
  name: string
  name_key: string
  description: string
  /** Managers: how many levels of the manager chain approve. */
  managers: number
  /** Groups: how many members' acceptances are needed. */
  members_to_approve: number
  /** 0: never. */
  timeout_days: number
  /** 0: never. */
  reminder_days: number
  /** JSON: the subscribed events (see ops/approvals/model.ts `StoredSubscriptions`). */
  subscriptions: string
  created_at: string
  updated_at: string
}

export interface ApprovalGroupMemberTable {
  provider_id: string
  user_id: string
}

/** One event waiting for (or decided by) approval. */
export interface ApprovalRequestTable {
  id: string
  /** `requests.id` of the gated request. */
  request_id: number
  org_id: string
  description: string
  /** `<object>.<action>[:<label>]`, e.g. `services.Provision:Hosted Exchange`. */
  event: string
  requested_by_user_id: string | null
  /** `Pending`, `Accepted`, `Rejected` or `TimedOut`. */
  status: string
  /** JSON: what acceptance does and how a refusal undoes the subject (ops/approvals/model.ts `Effect`). */
  effect: string
  requested_at: string
  resolved_at: string | null
}

/** What one subscribed provider (or group) asks of an approval request. */
export interface ApprovalGateTable {
  id: string
  approval_id: string
  /** `Workflow Managers`, or the group's name. */
  provider: string
  required: number
  timeout_days: number
  reminder_days: number
  reminded_at: string | null
}

/** One approver's response (`id` is the seed's subscription GUID). */
export interface ApprovalResponseTable {
  id: string
  approval_id: string
  gate_id: string
  user_id: string
  /** `Pending`, `Accepted`, `Rejected`, `TimedOut` or `Closed` (the request ended otherwise). */
  status: string
  reason: string
  requested_at: string
  resolved_at: string | null
}

/** A customer's traffic in one 5-minute slot (migration 2026-12-07-0009). */
export interface BandwidthSampleTable {
  org_id: string
  /** Seconds since the epoch divided by 300: the slot's number. */
  slot: number
  /** The slot's start, ISO text. */
  at: string
  /** Average bits per second in, and out, over the slot. */
  in_bps: number
  out_bps: number
  /** max(in_bps, out_bps): what the percentile rules rank. */
  peak_bps: number
  recorded_at: string
}

/** An IP address pool the master organisation defines (see src/ops/network/). */
export interface IpPoolTable {
  id: string
  name: string
  name_key: string
  /** `ipv4` or `ipv6`. */
  family: string
  /** The network address, as ipaddr.js prints it. */
  network: string
  prefix: number
  gateway: string
  location_id: string | null
  created_at: string
  updated_at: string
}

/** An address given to a customer from a pool. */
export interface IpAddressTable {
  id: string
  pool_id: string
  org_id: string
  /** As ipaddr.js prints it. */
  address: string
  /** Fixed-width sortable key (`4` + 8 hex digits, `6` + 32); unique across pools. */
  address_key: string
  created_at: string
}

/** A customer's site (migration 2026-12-07-0012). */
export interface SiteTable {
  id: string
  org_id: string
  name: string
  /** `name` lower-cased; unique per customer. */
  name_key: string
  /** ASCII, lower case; unique across the system. */
  hostname: string
  /** A provisioning status (core/provisioning.ts). */
  status: string
  error: string | null
  /** The wizard's (parent) request. */
  request_id: number | null
  created_at: string
  updated_at: string
}

export interface SiteAliasTable {
  site_id: string
  name: string
}

/** What every provisioned part of a site has: its status, and the request of its job. */
interface SitePartColumns {
  id: string
  site_id: string
  name: string
  status: string
  error: string | null
  request_id: number | null
  created_at: string
  updated_at: string
}

export interface SiteContainerTable extends SitePartColumns {
  type: string
  os: string
  disk_mib: number
  size: string
}

export interface SiteEnvironmentTable extends SitePartColumns {
  /** `name` lower-cased; unique per site. */
  name_key: string
}

export interface SiteDnsRecordTable extends SitePartColumns {
  /** `A`, `AAAA` or `CNAME`. */
  type: string
  value: string | null
}
