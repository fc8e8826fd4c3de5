/**
 * A customer's root object (`ops/orgs/export-org.ts`) as text, for every face that answers it:
 * seed 000's `customer.getObject` (JSON), `getYAML`, `getXML` and `getXMLSchema`, and REST's
 * `GET /orgs/{org_id}/export` and `GET /schemas/customer.xsd`.
 *
 * JSON and YAML carry the object exactly as the operation answers it (YAML parses back to the
 * same value as the JSON). The XML follows `customer.xsd` (kept next to this module and read
 * once at load): root element `<customer guid="…">` in the namespace `urn:clientele:customer:1`,
 * the object's fields as child elements in the schema's order, lists as containers
 * (`<users><user id="…">`, `<groups>`, `<capacity><available><entry>`, `<domains>`,
 * `<services>`, `<cloudaccounts>`, `<subscriptions>`). Names that are data (service and instance
 * property names) never become element names: a property is `<property><name/><value/></property>`.
 * A null value is an element left out. Element names are fixed here and checked by the builder,
 * which refuses (throws) any name that is not a valid XML name.
 *
 * Text is escaped by fast-xml-parser's builder. Stored text may hold characters XML 1.0 cannot
 * carry at all, even as references (the JSON body parser refuses only NUL): control characters
 * other than tab, newline and carriage return, unpaired surrogates, U+FFFE and U+FFFF. They are
 * written as U+FFFD (the XML stays well-formed and valid; JSON and YAML keep them). A carriage
 * return is written as `&#13;` so that it survives the parser's line-end normalisation.
 */
import { readFileSync } from 'node:fs'
import { stringify as yamlStringify } from 'yaml'
import { XMLBuilder } from 'fast-xml-parser'
import type { RootCapacityEntry, RootObject, RootProperty, RootService, RootSubscription } from '../../ops/orgs/export-org.js'

/** The XML namespace of the root object's elements (a new shape gets a new one). */
export const ROOT_OBJECT_NAMESPACE = 'urn:clientele:customer:1'

/** The XML Schema that `rootObjectXml`'s output validates against. */
export const ROOT_OBJECT_XSD: string = readFileSync(new URL('./customer.xsd', import.meta.url), 'utf8')

/** The root object as JSON text (compact). */
export function rootObjectJson(root: RootObject): string {
  return JSON.stringify(root)
}

/** The root object as YAML 1.2 text; parses back to the value `rootObjectJson` writes. */
export function rootObjectYaml(root: RootObject): string {
  // No anchors or aliases even if a value were shared: each place holds its own copy.
  return yamlStringify(root, { aliasDuplicateObjects: false })
}

/** The root object as an XML document valid against `ROOT_OBJECT_XSD`. */
export function rootObjectXml(root: RootObject): string {
  return XML_DECLARATION + builder.build({ customer: customerNode(root) })
}

const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'

// Everything XML 1.0 allows: tab, LF, CR, U+0020–U+D7FF, U+E000–U+FFFD, U+10000–U+10FFFF. With
// the `u` flag an unpaired surrogate is one code point outside these ranges.
const NOT_XML_CHAR = /[^\t\n\r\u{20}-\u{D7FF}\u{E000}-\u{FFFD}\u{10000}-\u{10FFFF}]/gu

/** Replaces characters XML 1.0 cannot carry with U+FFFD. */
export function xmlSafeText(s: string): string {
  return s.replace(NOT_XML_CHAR, '\uFFFD')
}

const safeValue = (_name: string, v: unknown): unknown => (typeof v === 'string' ? xmlSafeText(v) : v)

/**
 * An XMLBuilder that escapes every text and attribute value (& < > " ' and CR), writes
 * characters XML 1.0 cannot carry as U+FFFD (xmlSafeText), and refuses (throws on) a name that is
 * not an XML name. Shared by the XML faces so that no value is ever written unescaped.
 */
export function safeXmlBuilder(layout: { format: boolean; suppressEmptyNode: boolean; cdataPropName?: string }): XMLBuilder {
  return new XMLBuilder({
    ignoreAttributes: false,
    attributeNamePrefix: '@_',
    textNodeName: '#text',
    ...(layout.cdataPropName !== undefined && { cdataPropName: layout.cdataPropName }),
    format: layout.format,
    indentBy: '  ',
    suppressEmptyNode: layout.suppressEmptyNode,
    // `true` would write an attribute whose value is "true" as a bare name (not XML).
    suppressBooleanAttributes: false,
    processEntities: true,
    entities: [
      { regex: /&/g, val: '&amp;' },
      { regex: />/g, val: '&gt;' },
      { regex: /</g, val: '&lt;' },
      { regex: /'/g, val: '&apos;' },
      { regex: /"/g, val: '&quot;' },
      { regex: /\r/g, val: '&#13;' },
    ],
    tagValueProcessor: safeValue as (name: string, value: unknown) => unknown,
    attributeValueProcessor: safeValue as (name: string, value: unknown) => unknown,
    // Every name is fixed by the caller's code; an invalid one is a bug, refused rather than written.
    sanitizeName: (name: string) => {
      throw new Error(`not an XML name: ${JSON.stringify(name)}`)
    },
  } as ConstructorParameters<typeof XMLBuilder>[0])
}

const builder = safeXmlBuilder({ format: true, suppressEmptyNode: false })

type Node = Record<string, unknown>

/** `value`, or undefined (the element is left out) when it is null. */
const opt = <T>(value: T | null): T | undefined => (value === null ? undefined : value)

function customerNode(r: RootObject): Node {
  return {
    '@_xmlns': ROOT_OBJECT_NAMESPACE,
    '@_guid': r.guid,
    code: r.code,
    name: r.name,
    description: r.description,
    address: r.address,
    city: r.city,
    country: r.country,
    status: r.status,
    contactName: r.contactName,
    contactEmail: r.contactEmail,
    primaryDomain: r.primaryDomain,
    billingId: r.billingId,
    externalId: r.externalId,
    locale: r.locale,
    isReseller: r.isReseller,
    retentionPolicyGuid: opt(r.retentionPolicyGuid),
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
    version: r.version,
    users: {
      user: r.users.map((u) => ({
        '@_id': u.id,
        username: u.username,
        email: u.email,
        firstName: u.firstName,
        lastName: u.lastName,
        role: u.role,
        enabled: u.enabled,
        createdAt: u.createdAt,
      })),
    },
    groups: {
      group: r.groups.map((g) => ({
        '@_id': g.id,
        name: g.name,
        description: g.description,
        createdAt: g.createdAt,
        members: { member: g.memberIds },
      })),
    },
    capacity: {
      available: { entry: r.capacity.available.map(capacityEntryNode) },
      consumed: { entry: r.capacity.consumed.map(capacityEntryNode) },
    },
    domains: {
      domain: r.domains.map((d) => ({ name: d.name, unicodeName: d.unicodeName, registrar: d.registrar, createdAt: d.createdAt })),
    },
    services: { service: r.services.map(serviceNode) },
    cloudaccounts: {
      cloudaccount: r.cloudAccounts.map((a) => ({
        '@_id': a.id,
        name: a.name,
        providerId: a.providerId,
        providerName: a.providerName,
        servers: a.servers,
        createdAt: a.createdAt,
      })),
    },
    subscriptions: { subscription: r.subscriptions.map(subscriptionNode) },
  }
}

const capacityEntryNode = (e: RootCapacityEntry): Node => ({ amount: e.amount, capacityunittype: e.capacityunittype, name: e.name, description: e.description })

const propertyNode = (p: RootProperty): Node => ({ name: p.name, value: p.value })

function serviceNode(s: RootService): Node {
  return {
    '@_id': s.id,
    name: s.name,
    fullname: s.fullname,
    version: s.version,
    location: opt(s.location),
    status: s.status,
    statusLabel: s.statusLabel,
    statusColour: s.statusColour,
    desiredStatus: s.desiredStatus,
    error: opt(s.error),
    requestGuid: opt(s.requestGuid),
    userLimit: s.userLimit,
    usersCount: s.usersCount,
    isBilled: s.isBilled,
    approvalPending: s.approvalPending,
    multipleUserPlans: s.multipleUserPlans,
    packages: { package: s.packages.map((p) => ({ name: p.name, fullname: p.fullname, enabled: p.enabled })) },
    userPlans: {
      userPlan: s.userPlans.map((p) => ({ name: p.name, fullname: p.fullname, userLimit: p.userLimit, usersCount: p.usersCount, used: p.used, enabled: p.enabled })),
    },
    properties: { property: s.properties.map((p) => ({ ...propertyNode(p), hidden: p.hidden })) },
    instances: {
      instance: s.instances.map((i) => ({ name: i.name, description: i.description, properties: { property: i.properties.map(propertyNode) } })),
    },
    objectVersion: s.objectVersion,
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
    provisionedAt: opt(s.provisionedAt),
  }
}

function subscriptionNode(s: RootSubscription): Node {
  return {
    '@_id': s.id,
    planId: s.planId,
    planName: s.planName,
    planType: s.planType,
    vendorId: s.vendorId,
    friendlyName: s.friendlyName,
    status: s.status,
    isSuspended: s.isSuspended,
    resources: { resource: s.resources.map((x) => ({ name: x.name, total: opt(x.total), usage: x.usage })) },
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
    version: s.version,
  }
}
