/**
 * Wire shapes of the `/v3/admin` face (seed 002), snake_case exactly as the seed names them, and
 * their mapping from core objects. The same TypeBox schemas validate requests, serialise
 * answers and make the OpenAPI document.
 */
import { Type, type Static } from 'typebox'
import type { Organization } from '../../core/org.js'
import type { CloudProvider, ResourceUsage } from '../../core/cloud.js'
import { OrgFields, OrgName } from '../../ops/orgs/schema.js'

const CustomerCommon = {
  id: Type.String({ description: 'Identifier of the customer' }),
  name: Type.String({ description: 'The logical name for the customer' }),
  external_id: Type.String({ description: 'Id of the customer on the hub to which the customer belongs' }),
  licensing_enabled: Type.Boolean({ description: 'Flag indicating if licensing is enabled for this customer' }),
  admin: Type.Boolean({ description: "True for the caller's own organisation (the reseller's admin customer)" }),
  skin_names: Type.Array(Type.String(), { description: 'Names of the skins to apply to the UI, first match wins' }),
}
const ExternalMetadata = Type.Record(Type.String(), Type.Unknown(), { description: 'Metadata regarding the hub where the customer belongs' })
const ResourceUsageWire = Type.Record(Type.String(), Type.Object({ servers: Type.Integer() }), {
  description: "Each of the customer's cloud account ids → counters of resources in use",
})
const CustomerType = { resource_type: Type.Literal('customer') }

/** A customer in the listing. */
export const CustomerListItem = Type.Object({ ...CustomerCommon, ...CustomerType })
/** A customer as shown and as answered by an update. */
export const CustomerShown = Type.Object({
  ...CustomerCommon,
  external_metadata: ExternalMetadata,
  resource_usage: ResourceUsageWire,
  ...CustomerType,
})
/** A customer as answered by a create. */
export const CustomerCreated = Type.Object({ ...CustomerCommon, resource_usage: ResourceUsageWire, ...CustomerType })

function common(o: Organization, actorOrgId: string) {
  return {
    id: o.id,
    name: o.name,
    external_id: o.externalId,
    licensing_enabled: o.licensingEnabled,
    admin: o.id === actorOrgId,
    skin_names: o.skinNames,
  }
}

/** Maps an organisation to a listed customer; `admin` marks the caller's own organisation. */
export function toListItem(o: Organization, actorOrgId: string): Static<typeof CustomerListItem> {
  return { ...common(o, actorOrgId), resource_type: 'customer' }
}

/** Maps an organisation and its resource usage to a shown (or updated) customer. */
export function toShown(o: Organization, usage: ResourceUsage, actorOrgId: string): Static<typeof CustomerShown> {
  return { ...common(o, actorOrgId), external_metadata: o.externalMetadata, resource_usage: usage, resource_type: 'customer' }
}

/** Maps an organisation and its resource usage to a created customer. */
export function toCreated(o: Organization, usage: ResourceUsage, actorOrgId: string): Static<typeof CustomerCreated> {
  return { ...common(o, actorOrgId), resource_usage: usage, resource_type: 'customer' }
}

/** The create customer inputs of the seed; anything else is refused. */
export const CreateCustomerBody = Type.Object(
  {
    name: OrgName,
    skin_names: OrgFields.skinNames,
    external_id: OrgFields.externalId,
    licensing_enabled: OrgFields.licensingEnabled,
  },
  { additionalProperties: false },
)

/** The update customer inputs of the seed, all optional; anything else is refused. */
export const UpdateCustomerBody = Type.Object(
  {
    name: Type.Optional(OrgName),
    external_id: OrgFields.externalId,
    external_metadata: OrgFields.externalMetadata,
    licensing_enabled: OrgFields.licensingEnabled,
    skin_names: OrgFields.skinNames,
  },
  { additionalProperties: false },
)

export const CloudProviderWire = Type.Object({
  id: Type.String({ description: 'Identifier of the cloud provider' }),
  name: Type.String({ description: 'Name of the cloud provider' }),
  disambiguation: Type.String({ description: 'Continuation of the name, for disambiguation' }),
  required_credentials: Type.Array(Type.String(), { description: 'Credential parameters needed to create a cloud account' }),
  discoverable: Type.Boolean({ description: 'Whether the provider can discover cloud accounts' }),
  cse_syntax: Type.String({ description: 'Syntax used to deploy CSE deployments on this provider' }),
  standalone_incompatible: Type.Boolean({ description: 'Whether the provider cannot be standalone' }),
  resource_type: Type.Literal('cloud_provider'),
})

/** Maps a cloud provider to the seed's shape. */
export function toCloudProvider(p: CloudProvider): Static<typeof CloudProviderWire> {
  return {
    id: p.id,
    name: p.name,
    disambiguation: p.disambiguation,
    required_credentials: p.requiredCredentials,
    discoverable: p.discoverable,
    cse_syntax: p.cseSyntax,
    standalone_incompatible: p.standaloneIncompatible,
    resource_type: 'cloud_provider',
  }
}
