import type { AppContext } from '../../context.js';
import { actor } from '../../auth/access.js';
import type { Principal } from '../../auth/principal.js';
import { auditRefs, resolveProfiles, type SubjectProfile } from '../../auth/subjects.js';
import { notFound } from '../../http/errors.js';
import { requireText } from '../../http/rules.js';
import type { PageRequest } from '../../store/pagination.js';
import { inTransaction, fromBool, toBool, type Queryable } from '../../store/db.js';
import { newId } from '../../store/ids.js';
import { storedTime, wireTime } from '../../time.js';
import { createOwnerToken } from '../tokens/service.js';
import * as repo from './repo.js';
import type { OrganizationView, UpdateOrganizationBody } from './schema.js';

function toView(r: repo.OrganizationRow, profiles: Map<string, SubjectProfile>): OrganizationView {
  return {
    allowEnhancedSupportAccess: toBool(r.allow_enhanced_support_access),
    billingEmail: r.billing_email ?? undefined,
    createdAt: wireTime(r.created_at),
    createdBy: profiles.get(r.created_by_id)!,
    hasAiFeaturesDisabled: toBool(r.has_ai_features_disabled),
    hasAllowedIpAddressRanges: r.has_ip_ranges === 1 || (r.has_ip_ranges as unknown) === true,
    id: r.id,
    isBlockedEnableAiFeatures: toBool(r.is_blocked_enable_ai_features),
    isScimEnabled: toBool(r.is_scim_enabled),
    name: r.name,
    paymentMethod: (r.payment_method ?? undefined) as OrganizationView['paymentMethod'],
    product: r.product as OrganizationView['product'],
    productPlans: [{
      astronomerProduct: 'ASTRO',
      organizationId: r.id,
      productPlanId: r.product_plan_id,
      productPlanName: r.product_plan_name as OrganizationView['productPlans'][number]['productPlanName'],
    }],
    shouldEnforceDedicatedClusters: toBool(r.should_enforce_dedicated_clusters),
    status: r.status as OrganizationView['status'],
    trialExpiresAt: wireTime(r.trial_expires_at),
    updatedAt: wireTime(r.updated_at),
    updatedBy: profiles.get(r.updated_by_id)!,
  };
}

async function views(db: Queryable, rows: repo.OrganizationRow[]): Promise<OrganizationView[]> {
  const profiles = await resolveProfiles(db, auditRefs(rows));
  return rows.map((r) => toView(r, profiles));
}

/** Reads an organization (the route's permission check has already refused any other). */
export async function getOrganization(app: AppContext, id: string): Promise<OrganizationView> {
  const row = await repo.findOrganization(app.db, id);
  if (!row) throw notFound('Organization');
  return (await views(app.db, [row]))[0]!;
}

export async function listOrganizations(app: AppContext, p: Principal, q: { product?: string; productPlan?: string } & PageRequest) {
  const page = await repo.listOrganizations(app.db, { ids: [p.organizationId], product: q.product, productPlan: q.productPlan }, q);
  return { organizations: await views(app.db, page.items), limit: page.limit, offset: page.offset, totalCount: page.totalCount };
}

export async function updateOrganization(app: AppContext, p: Principal, id: string, body: UpdateOrganizationBody): Promise<OrganizationView> {
  requireText('name', body.name);
  return inTransaction(app.db, async (tx) => {
    const row = await repo.findOrganization(tx, id);
    if (!row) throw notFound('Organization');
    const by = actor(p);
    await repo.updateOrganization(tx, id, {
      name: body.name,
      billing_email: body.billingEmail,
      is_scim_enabled: fromBool(body.isScimEnabled),
      ...(body.allowEnhancedSupportAccess !== undefined ? { allow_enhanced_support_access: fromBool(body.allowEnhancedSupportAccess) } : {}),
      ...(body.hasAiFeaturesDisabled !== undefined ? { has_ai_features_disabled: fromBool(body.hasAiFeaturesDisabled) } : {}),
      ...(body.shouldEnforceDedicatedClusters !== undefined ? { should_enforce_dedicated_clusters: fromBool(body.shouldEnforceDedicatedClusters) } : {}),
      updated_at: storedTime(app.clock.now()),
      updated_by_id: by.id,
      updated_by_type: by.type,
    });
    return (await views(tx, [(await repo.findOrganization(tx, id))!]))[0]!;
  });
}

export interface CreatedOrganization {
  organizationId: string;
  tokenId: string;
  token: string;
}

/**
 * Creates an organization together with its first API token (role ORGANIZATION_OWNER), the way
 * the first start and `astrolabe org create` do. `tokenValue` fixes the token's secret.
 */
export async function createOrganizationWithOwner(
  app: AppContext,
  opts: { name: string; product?: 'HOSTED' | 'HYBRID'; tokenValue?: string },
): Promise<CreatedOrganization> {
  return inTransaction(app.db, async (tx) => {
    const now = storedTime(app.clock.now());
    const organizationId = newId();
    const tokenId = newId();
    const audit = { created_at: now, created_by_id: tokenId, created_by_type: 'SERVICEKEY', updated_at: now, updated_by_id: tokenId, updated_by_type: 'SERVICEKEY' };
    await repo.insertOrganization(tx, {
      id: organizationId,
      name: opts.name,
      billing_email: null,
      is_scim_enabled: 0,
      allow_enhanced_support_access: 0,
      has_ai_features_disabled: 0,
      is_blocked_enable_ai_features: 0,
      should_enforce_dedicated_clusters: 0,
      product: opts.product ?? 'HOSTED',
      status: 'ACTIVE',
      payment_method: null,
      trial_expires_at: null,
      product_plan_id: newId(),
      product_plan_name: 'ENTERPRISE_BUSINESS_CRITICAL',
      ...audit,
    });
    const { token } = await createOwnerToken(tx, app.clock, { organizationId, tokenId, name: 'Astrolabe owner token', value: opts.tokenValue });
    return { organizationId, tokenId, token };
  });
}
