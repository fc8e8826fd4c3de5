/*
 * Clientele's customer service over Apache Thrift: seed 001's "Customer methods", every function
 * with the parameter ids (idx) and types the seed gives. Choices the seed leaves open (what each
 * Types.* is on the wire, what each function returns) are written in README.md beside this file.
 *
 * Wire: binary protocol only (TBinaryProtocol), over HTTP (POST /thrift/customer) or a framed TCP
 * port (clientele serve --thrift-port N). Never TJSONProtocol.
 */

namespace py clientele.customer
namespace js Clientele

// ---------------------------------------------------------------------------------------------
// Types (the seed's Types.*)

/** An organisation's id: the UUID every face shows (`GET /orgs/{id}`). */
typedef string CustomerId
/** A customer's full name (FTP users' display name). */
typedef string CustomerName
/** A login name (FTP users). */
typedef string CustomerUsername
/** An API key's id (UUID). */
typedef string APIKeyId
/** The role an API key acts with: one of listRoles' ids (`admin`, `member`, `readonly`, …). */
typedef string APIKeyType
/** An API key ACL entry's id: an integer, as the core numbers them. */
typedef i64 APIKeyACLId
/** An IPv4 or IPv6 address in text form (`192.0.2.10`, `2001:db8::1`). */
typedef string IPAddress
/** A CIDR prefix length: 0–32 for IPv4, 0–128 for IPv6. */
typedef i16 CIDRMask
/** Seconds since 1970-01-01T00:00:00Z. */
typedef i64 UnixTime
typedef string EmailAddress
typedef string FTPUserId
/** `full` or `readonly` (see README.md). */
typedef string FTPUserType
typedef string SiteId
typedef string EnvironmentId
typedef string SiteName
typedef string Hostname
typedef string SiteAlias
typedef string ContainerName
/** A container type of the catalogue (e.g. `php`, `static`). */
typedef string ContainerTypeId
/** An operating system image of the catalogue (e.g. `debian-12`). */
typedef string OSId
/** Disk space in MiB. */
typedef i64 ContainerDiskSpace
/** A container size name of the catalogue (e.g. `small`). */
typedef string ContainerSize
typedef string EnvironmentName
typedef i64 CustomerNoticeId
typedef i64 CustomerContactId
/** A contact method of the catalogue: 1 `email`, 2 `sms`, 3 `webhook` (listContactMethods). */
typedef i32 ContactMethodId
typedef i64 CustomerContactMethodId
/** A notice type of the catalogue: 1 `general`, 2 `maintenance`, 3 `incident`, 4 `billing`, 5 `security`. */
typedef i32 ContactNoticeTypeId
typedef i64 CustomerContactMethodNoticeId
/** The guid of the request a call recorded (`GET /jobs/{guid}`). */
typedef string RequestId

struct Setting {
  1: required string name,
  2: required string value,
}

typedef list<Setting> SettingList

struct APIKeyACL {
  1: required APIKeyACLId id,
  2: required IPAddress address,
  3: required CIDRMask cidr,
}

struct APIKey {
  1: required APIKeyId id,
  2: required APIKeyType type,
  3: required string name,
  /** The secret: answered once, by createKey; never again. */
  4: optional string secret,
  5: required UnixTime created,
  6: optional UnixTime expires,
  7: required list<APIKeyACL> acls,
}

struct Role {
  1: required string id,
  2: required string name,
  3: required list<string> permissions,
}

struct IPAddressDetails {
  1: required IPAddress address,
  2: required CIDRMask cidr,
  /** The IPv4 netmask (`255.255.255.0`); for IPv6 the prefix in text form (`/64`). */
  3: required string netmask,
  4: optional IPAddress gateway,
  5: required string pool,
  6: required UnixTime since,
}

struct FTPUser {
  1: required FTPUserId id,
  2: required CustomerId customerId,
  3: required CustomerName name,
  4: required CustomerUsername username,
  5: required string relativeRoot,
  6: required FTPUserType type,
  7: optional SiteId siteId,
  8: optional EnvironmentId environmentId,
}

struct BillableBandwidth {
  /** Bits per second for the rate rules (p95, max, average); bytes for `total`. */
  1: required i64 amount,
  2: required string rule,
  3: required UnixTime periodStart,
  4: required UnixTime periodEnd,
  5: required i32 samples,
}

struct CustomerNotice {
  1: required CustomerNoticeId id,
  2: required ContactNoticeTypeId type,
  3: required string subject,
  4: required string body,
  5: required UnixTime created,
  6: required UnixTime updated,
  /** True for a notice to every customer (of the whole provider, or of a reseller's subtree). */
  7: required bool isGlobal,
  8: required bool acknowledged,
}

struct ContactNoticeType {
  1: required ContactNoticeTypeId id,
  2: required string name,
  3: required string description,
}

struct ContactMethod {
  1: required ContactMethodId id,
  2: required string name,
  3: required string description,
}

struct CustomerContactMethodNotice {
  1: required CustomerContactMethodNoticeId id,
  2: required ContactNoticeTypeId noticeTypeId,
  3: required map<string, string> options,
}

struct CustomerContactMethod {
  1: required CustomerContactMethodId id,
  2: required ContactMethodId methodId,
  3: required map<string, string> options,
  4: required list<CustomerContactMethodNotice> notices,
}

struct CustomerContact {
  1: required CustomerContactId id,
  2: required CustomerId customerId,
  3: required string name,
  4: required list<CustomerContactMethod> methods,
}

struct EmailChange {
  /** The address in force now: the old one while a change waits for confirmation. */
  1: required EmailAddress current,
  /** The new address, while it waits for its owner to confirm it (mail configured). */
  2: optional EmailAddress pending,
}

// ---------------------------------------------------------------------------------------------
// Exceptions (the seed's Exceptions.*)

/**
 * Every refusal: what is wrong, the argument it is wrong about (when one is), and Clientele's
 * stable error code (`invalid_argument`, `not_found`, `conflict`, `quota_exceeded`, … as the
 * native REST API's problem `code`), so that a client can tell them apart without parsing text.
 */
exception InvalidArguments {
  1: required string message,
  2: optional string field,
  3: optional string code,
}

// ---------------------------------------------------------------------------------------------
// Customer methods. Arguments the seed marks optional are the ones a caller may leave unset
// (Thrift ignores `optional` in argument lists): aliasNames, createDNS, createKey's and getKeys'
// type, updateKeyACL's address and cidr, addIpAddress's address, the FTP users' siteId and
// environmentId and every field of updateFTPUser but its id, listNotices' since, and the
// contact methods' options.

service Customer {
  /** Control Panel wizard: a site, its container, environments and optional DNS, as one request. */
  RequestId CP_Wizard(
    1: CustomerId customerId,
    2: SiteName siteName,
    3: Hostname siteHostname,
    4: ContainerName containerName,
    8: ContainerTypeId containerType,
    10: OSId containerOSId,
    11: ContainerDiskSpace containerDiskSpace,
    12: ContainerSize containerSize,
    6: list<EnvironmentName> environmentNames,
    7: list<SiteAlias> aliasNames,
    9: bool createDNS,
  ) throws (1: InvalidArguments e),

  /** Create a cancellation request for a customer. */
  RequestId requestCancellation(1: CustomerId id, 2: string reason) throws (1: InvalidArguments e),

  /** Create an API Key for the customer (its secret is answered this once). */
  APIKey createKey(1: CustomerId id, 2: APIKeyType type) throws (1: InvalidArguments e),
  /** Revoke an API Key for the customer. */
  void revokeKey(1: APIKeyId id) throws (1: InvalidArguments e),
  /** List all customer Keys (never their secrets). */
  list<APIKey> getKeys(1: CustomerId id, 2: APIKeyType type) throws (1: InvalidArguments e),
  /** Associate an ACL with the key. */
  APIKeyACLId createKeyACL(1: APIKeyId id, 2: IPAddress address, 3: CIDRMask cidr) throws (1: InvalidArguments e),
  /** Update a field on the ACL. */
  void updateKeyACL(1: APIKeyACLId id, 2: IPAddress address, 3: CIDRMask cidr) throws (1: InvalidArguments e),
  /** Delete a key ACL. */
  void deleteKeyACL(1: APIKeyACLId id) throws (1: InvalidArguments e),
  /** List all customer roles. */
  list<Role> listRoles(1: CustomerId id) throws (1: InvalidArguments e),

  /** Get Customer Username (the customer's owner login). */
  string getUsername(1: CustomerId id) throws (1: InvalidArguments e),
  /** Change the customer password. */
  void changePassword(1: CustomerId id, 2: string password) throws (1: InvalidArguments e),
  /** Change the customer PIN. */
  void changePIN(1: CustomerId id, 2: string pin) throws (1: InvalidArguments e),
  /** Change the customer email address (kept pending until confirmed where mail is configured). */
  EmailChange changeEmail(1: CustomerId id, 2: EmailAddress email) throws (1: InvalidArguments e),

  /** Set a list of settings on the Customer (the names given; others stay). */
  void setSettings(1: CustomerId id, 2: SettingList settings) throws (1: InvalidArguments e),
  /** Get all the settings associated with the Customer. */
  SettingList getSettings(1: CustomerId id) throws (1: InvalidArguments e),

  /** Add address to the Customer: the next free one, or the one asked for. */
  IPAddress addIpAddress(1: CustomerId id, 2: IPAddress address) throws (1: InvalidArguments e),
  /** Get Addresses associated with Customer. */
  list<IPAddress> getIpAddresses(1: CustomerId id) throws (1: InvalidArguments e),
  /** Get address details for a Customer. */
  list<IPAddressDetails> getDetailedIpAddresses(1: CustomerId id) throws (1: InvalidArguments e),
  /** Free an Address from the customer. */
  void freeIpAddress(1: CustomerId id, 2: IPAddress address) throws (1: InvalidArguments e),

  /** Create a Customer-controlled FTP user. */
  FTPUserId createFTPUser(
    1: CustomerId customerId,
    2: CustomerName name,
    3: CustomerUsername username,
    4: string password,
    5: string relativeRoot,
    6: FTPUserType type,
    7: SiteId siteId,
    8: EnvironmentId environmentId,
  ) throws (1: InvalidArguments e),
  /** List FTP users (never their passwords). */
  list<FTPUser> listFTPUsers(1: CustomerId id, 7: SiteId siteId, 8: EnvironmentId environmentId) throws (1: InvalidArguments e),
  /** Update an FTP user. */
  void updateFTPUser(
    1: FTPUserId id,
    2: CustomerName name,
    3: CustomerUsername username,
    4: string password,
    5: string relativeRoot,
    6: FTPUserType type,
    7: SiteId siteId,
    8: EnvironmentId environmentId,
  ) throws (1: InvalidArguments e),
  /** Delete an FTP user. */
  void destroyFTPUser(1: FTPUserId id) throws (1: InvalidArguments e),

  /** Fetch the latest billable bandwidth amount. */
  BillableBandwidth currentBillableBandwidth(1: CustomerId customerId) throws (1: InvalidArguments e),

  /** Fetch all the notices associated with the customer (or global). */
  list<CustomerNotice> listNotices(1: CustomerId customerId, 2: UnixTime since) throws (1: InvalidArguments e),
  /** Set the acknowledged flag of a customer notice. */
  void acknowledgeNotice(1: CustomerNoticeId noticeId) throws (1: InvalidArguments e),

  /** Create a contact. */
  CustomerContactId createContact(1: CustomerId customerId, 2: string name) throws (1: InvalidArguments e),
  /** Delete a contact. */
  void destroyContact(1: CustomerContactId contactId) throws (1: InvalidArguments e),
  /** Associate a contact method with a contact. */
  CustomerContactMethodId createContactMethod(1: CustomerContactId contactId, 2: ContactMethodId methodId, 3: map<string, string> options) throws (1: InvalidArguments e),
  /** Delete a contact method. */
  void destroyContactMethod(1: CustomerContactMethodId contactMethodId) throws (1: InvalidArguments e),
  /** Associate a notice type with a contact method. */
  CustomerContactMethodNoticeId createContactMethodNotice(1: CustomerContactMethodId contactMethodId, 2: ContactNoticeTypeId noticeTypeId, 3: map<string, string> options) throws (1: InvalidArguments e),
  /** Delete a contact method notice association. */
  void destroyContactMethodNotice(1: CustomerContactMethodNoticeId contactMethodNoticeId) throws (1: InvalidArguments e),
  /** List contact notice types. */
  list<ContactNoticeType> listContactNoticeTypes() throws (1: InvalidArguments e),
  /** List contact methods. */
  list<ContactMethod> listContactMethods() throws (1: InvalidArguments e),
  /** List contacts and related objects (their methods and those methods' notice types). */
  list<CustomerContact> listContacts(1: CustomerId customerId) throws (1: InvalidArguments e),
}

/**
 * Clientele's addition for the framed TCP port, which carries no HTTP headers: the first call
 * on a connection gives the credentials every later call on it acts with, as the value of an
 * HTTP `Authorization` header (`Basic base64(user:password)` or `Bearer clt_…`). Over HTTP the
 * request's own headers are the credentials and this service is not offered. Wrong or missing
 * credentials answer a TApplicationException (not InvalidArguments) and close the connection.
 */
service Session {
  void authenticate(1: string authorization),
}
