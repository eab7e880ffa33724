import Type, { type Static } from 'typebox';
import { byOperationId, presentAs } from '../../http/projection.js';
import { BasicSubjectProfile, DateTime, named, pageQuery, paginated, StringEnum } from '../../core/schemas.js';
import { ManagedDomain, PAYMENT_METHODS, PRODUCT_PLAN_NAMES, PRODUCTS, type OrganizationView } from './schema.js';
import { operations } from './routes.js';

const v1 = byOperationId(operations);

/**
 * Organizations on /platform/v1beta1: the v1 read model presented in the older shape. The older
 * Organization has a required `supportPlan` (the same value set as v1's product plan names) and
 * none of the newer flags; its update body cannot change `hasAiFeaturesDisabled`.
 */

const ProductPlan = named('OrganizationProductPlan', Type.Object({
  astronomerProduct: StringEnum(['ASTRO', 'OBSERVE'], { description: 'The Astronomer product the plan is for.' }),
  organizationId: Type.String({ description: 'The Organization holding the plan.' }),
  productPlanId: Type.String({ description: 'Identifier of the plan.' }),
  productPlanName: Type.String({ description: 'Name of the plan.' }),
}));

export const OrganizationV1beta1 = named('Organization', Type.Object({
  allowEnhancedSupportAccess: Type.Boolean({ description: 'Whether Astronomer support may view the Organization\'s resources.' }),
  billingEmail: Type.Optional(Type.String({ description: 'Where billing mail goes.' })),
  createdAt: DateTime('When the Organization was created.'),
  createdBy: BasicSubjectProfile,
  id: Type.String({ description: 'Identifier of the Organization.' }),
  isScimEnabled: Type.Boolean({ description: 'Whether SCIM provisioning is on.' }),
  managedDomains: Type.Optional(Type.Array(ManagedDomain, { description: 'Domains the Organization has claimed.' })),
  name: Type.String({ description: 'Display name of the Organization.' }),
  paymentMethod: Type.Optional(StringEnum(PAYMENT_METHODS, { description: 'How the Organization pays.' })),
  product: Type.Optional(StringEnum(PRODUCTS, { description: 'Whether the Organization runs hosted or hybrid Astro.' })),
  productPlans: Type.Optional(Type.Array(ProductPlan, { description: 'The plans the Organization is on.' })),
  shouldEnforceDedicatedClusters: Type.Boolean({ description: 'Whether new Deployments must run on dedicated clusters.' }),
  status: Type.Optional(StringEnum(['ACTIVE', 'INACTIVE', 'SUSPENDED'], { description: 'Whether the Organization is in good standing.' })),
  supportPlan: StringEnum(PRODUCT_PLAN_NAMES, { description: 'The support plan; the older name of the product plan.' }),
  trialExpiresAt: Type.Optional(DateTime('When the trial ends, for Organizations on a trial.')),
  updatedAt: DateTime('When the Organization was last changed.'),
  updatedBy: BasicSubjectProfile,
}));
type OrganizationV1beta1View = Static<typeof OrganizationV1beta1>;

const OrganizationsPaginatedV1beta1 = paginated('OrganizationsPaginated', 'organizations', OrganizationV1beta1);

const UpdateOrganizationRequestV1beta1 = named('UpdateOrganizationRequest', Type.Object({
  allowEnhancedSupportAccess: Type.Optional(Type.Boolean({ description: 'Let Astronomer support view the Organization\'s resources.' })),
  billingEmail: Type.String({ description: 'Where billing mail goes.' }),
  isScimEnabled: Type.Boolean({ description: 'Turn SCIM provisioning on or off.' }),
  name: Type.String({ maxLength: 50, description: 'The new name.' }),
  shouldEnforceDedicatedClusters: Type.Optional(Type.Boolean({ description: 'Require new Deployments to run on dedicated clusters.' })),
}));

const SELECTABLE_PLANS = ['BASIC', 'BUSINESS_CRITICAL', 'PREMIUM', 'STANDARD', 'TRIAL'] as const;
const ListOrganizationsQueryV1beta1 = Type.Object({
  supportPlan: Type.Optional(StringEnum(SELECTABLE_PLANS, { description: 'Only Organizations on this support plan.' })),
  productPlan: Type.Optional(StringEnum(SELECTABLE_PLANS, { description: 'Only Organizations on this plan.' })),
  astronomerProduct: Type.Optional(StringEnum(['ASTRO', 'OBSERVE'], { description: 'Only Organizations using this Astronomer product.' })),
  product: Type.Optional(StringEnum(PRODUCTS, { description: 'Only Organizations of this product.' })),
  ...pageQuery(['createdAt', 'name', 'updatedAt']),
});

/** The v1 Organization in the older shape. */
export function organizationV1beta1(v: OrganizationView): OrganizationV1beta1View {
  // Every Organization is on one plan (its row's), which the v1 view lists as productPlans[0].
  const plan = v.productPlans[0];
  if (!plan) throw new Error(`Organization ${v.id} shows no product plan`);
  return {
    allowEnhancedSupportAccess: v.allowEnhancedSupportAccess,
    billingEmail: v.billingEmail,
    createdAt: v.createdAt,
    createdBy: v.createdBy,
    id: v.id,
    isScimEnabled: v.isScimEnabled,
    managedDomains: v.managedDomains,
    name: v.name,
    paymentMethod: v.paymentMethod,
    product: v.product,
    productPlans: v.productPlans,
    shouldEnforceDedicatedClusters: v.shouldEnforceDedicatedClusters,
    status: v.status,
    supportPlan: plan.productPlanName,
    trialExpiresAt: v.trialExpiresAt,
    updatedAt: v.updatedAt,
    updatedBy: v.updatedBy,
  };
}

export const platformOperations = [
  // The same operations as on /v1 (permission, scope, rules), shown in the older shape.
  presentAs(v1.ListOrganizations, {
    description: 'Lists the Organizations the caller belongs to.',
    query: ListOrganizationsQueryV1beta1,
    // A support-plan filter is a product-plan filter under its older name.
    queryIn: ({ supportPlan, astronomerProduct: _product, ...rest }) => ({ ...rest, productPlan: rest.productPlan ?? supportPlan }),
    // The product filter names one v1 does not know (OBSERVE): a surface rule, so the count is right.
    rules: ({ query }) => ({ astronomerProduct: query.astronomerProduct }),
    success: OrganizationsPaginatedV1beta1,
    out: (page) => ({ ...page, organizations: page.organizations.map(organizationV1beta1) }),
  }),
  presentAs(v1.GetOrganization, { success: OrganizationV1beta1, out: organizationV1beta1 }),
  // hasAiFeaturesDisabled sent here is ignored, not applied: this shape cannot change it.
  presentAs(v1.UpdateOrganization, { body: UpdateOrganizationRequestV1beta1, dropsUndeclared: true, success: OrganizationV1beta1, out: organizationV1beta1 }),
];
