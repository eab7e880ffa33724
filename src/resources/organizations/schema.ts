import Type, { type Static } from 'typebox';
import { BasicSubjectProfile, DateTime, named, pageQuery, paginated, StringEnum } from '../../core/schemas.js';

export const PRODUCT_PLAN_NAMES = [
  'INACTIVE', 'INTERNAL', 'POV', 'TRIAL', 'BASIC', 'BASIC_PAYGO', 'TEAM_PAYGO', 'STANDARD', 'PREMIUM',
  'BUSINESS_CRITICAL', 'BUSINESS', 'TEAM', 'ENTERPRISE', 'DEVELOPER', 'DEVELOPER_PAYGO', 'TEAM_V2',
  'BUSINESS_V2', 'ENTERPRISE_V2', 'TRIAL_V2', 'ENTERPRISE_BUSINESS_CRITICAL', 'IBM_ENTERPRISE',
] as const;
export const PRODUCTS = ['HOSTED', 'HYBRID'] as const;
export const PAYMENT_METHODS = ['CREDIT_CARD', 'INVOICE', 'AWS_MARKETPLACE', 'AZURE_MARKETPLACE', 'GCP_MARKETPLACE', 'SNOWFLAKE_MARKETPLACE'] as const;

export const OrganizationProductPlan = named('OrganizationProductPlan', Type.Object({
  astronomerProduct: StringEnum(['ASTRO'], { description: 'The Astronomer product the plan is for.' }),
  organizationId: Type.String({ description: 'The Organization holding the plan.' }),
  productPlanId: Type.String({ description: 'Identifier of the plan.' }),
  productPlanName: StringEnum(PRODUCT_PLAN_NAMES, { description: 'Name of the plan.' }),
}));

export const ManagedDomain = named('ManagedDomain', Type.Object({
  createdAt: DateTime('When the domain was added.'),
  enforcedLogins: Type.Optional(Type.Array(Type.String(), { description: 'Login methods users of the domain must use.' })),
  id: Type.String({ description: 'Identifier of the domain.' }),
  name: Type.String({ description: 'The domain name.' }),
  organizationId: Type.String({ description: 'The Organization owning the domain.' }),
  status: StringEnum(['PENDING', 'VERIFIED'], { description: 'Whether ownership of the domain is proven.' }),
  updatedAt: DateTime('When the domain was last changed.'),
}));

export const Organization = named('Organization', Type.Object({
  allowEnhancedSupportAccess: Type.Boolean({ description: 'Whether Astronomer support may view the Organization\'s resources.' }),
  billingEmail: Type.Optional(Type.String({ description: 'Where billing mail goes.' })),
  createdAt: DateTime('When the Organization was created.'),
  createdBy: BasicSubjectProfile,
  hasAiFeaturesDisabled: Type.Optional(Type.Boolean({ description: 'Whether AI features are switched off.' })),
  hasAllowedIpAddressRanges: Type.Boolean({ description: 'Whether at least one allowed IP address range is configured.' }),
  id: Type.String({ description: 'Identifier of the Organization.' }),
  isBlockedEnableAiFeatures: Type.Boolean({ description: 'Whether turning AI features on is blocked.' }),
  isScimEnabled: Type.Boolean({ description: 'Whether SCIM provisioning is on.' }),
  managedDomains: Type.Optional(Type.Array(ManagedDomain, { description: 'Domains the Organization has claimed.' })),
  name: Type.String({ description: 'Display name of the Organization.' }),
  paymentMethod: Type.Optional(StringEnum(PAYMENT_METHODS, { description: 'How the Organization pays.' })),
  product: Type.Optional(StringEnum(PRODUCTS, { description: 'Whether the Organization runs hosted or hybrid Astro.' })),
  productPlans: Type.Array(OrganizationProductPlan, { description: 'The plans the Organization is on.' }),
  shouldEnforceDedicatedClusters: Type.Boolean({ description: 'Whether new Deployments must run on dedicated clusters.' }),
  status: Type.Optional(StringEnum(['ACTIVE', 'INACTIVE', 'SUSPENDED'], { description: 'Whether the Organization is in good standing.' })),
  trialExpiresAt: Type.Optional(DateTime('When the trial ends, for Organizations on a trial.')),
  updatedAt: DateTime('When the Organization was last changed.'),
  updatedBy: BasicSubjectProfile,
}));
export type OrganizationView = Static<typeof Organization>;

export const OrganizationsPaginated = paginated('OrganizationsPaginated', 'organizations', Organization);

export const UpdateOrganizationRequest = named('UpdateOrganizationRequest', Type.Object({
  allowEnhancedSupportAccess: Type.Optional(Type.Boolean({ description: 'Let Astronomer support view the Organization\'s resources.' })),
  billingEmail: Type.String({ description: 'Where billing mail goes.' }),
  hasAiFeaturesDisabled: Type.Optional(Type.Boolean({ description: 'Switch AI features off.' })),
  isScimEnabled: Type.Boolean({ description: 'Turn SCIM provisioning on or off.' }),
  name: Type.String({ maxLength: 50, description: 'The new name.' }),
  shouldEnforceDedicatedClusters: Type.Optional(Type.Boolean({ description: 'Require new Deployments to run on dedicated clusters.' })),
}));
export type UpdateOrganizationBody = Static<typeof UpdateOrganizationRequest>;

export const ListOrganizationsQuery = Type.Object({
  productPlan: Type.Optional(StringEnum(['TRIAL', 'BASIC', 'STANDARD', 'PREMIUM', 'BUSINESS_CRITICAL'], { description: 'Only Organizations on this plan.' })),
  astronomerProduct: Type.Optional(StringEnum(['ASTRO'], { description: 'Only Organizations using this Astronomer product.' })),
  product: Type.Optional(StringEnum(PRODUCTS, { description: 'Only Organizations of this product.' })),
  ...pageQuery(['name', 'createdAt', 'updatedAt']),
});

export const GetOrganizationQuery = Type.Object({
  isLookUpOnly: Type.Optional(Type.Boolean({ description: 'Return only the Organization\'s basic metadata.' })),
});
