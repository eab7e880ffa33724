import type { AppContext } from '../../context.js';
import { actor } from '../../auth/access.js';
import type { Principal } from '../../auth/principal.js';
import { found } from '../../core/errors.js';
import { requireText } from '../../core/rules.js';
import { createdColumns, updatedColumns, type ActorRef } from '../../store/audit.js';
import { envelope, type PageRequest } from '../../store/pagination.js';
import { fromBool } from '../../store/codecs.js';
import { inTransaction } from '../../store/transactions.js';
import type { Queryable } from '../../store/types.js';
import { newId } from '../../store/ids.js';
import * as repo from './repo.js';
import type { OrganizationView, UpdateOrganizationBody } from './schema.js';
import { organizationView, organizationViews } from './view.js';

/** Reads an organization (the route's permission check has already refused any other). */
export async function getOrganization(app: AppContext, id: string): Promise<OrganizationView> {
  return organizationView(app.db, found(await repo.findOrganization(app.db, id), 'Organization'));
}

/** How an older surface bends the list rules (Operation.rules); /v1 hands none. */
export interface ListRules {
  /**
   * An Astronomer product to list the Organizations of, named by a filter the v1 query does not
   * have (platform v1beta1 also names OBSERVE). Every Organization here uses Astro: any other
   * product lists none (and counts none).
   */
  astronomerProduct?: string;
}
/** /v1's product filter names Astro only, which every Organization uses. */
export const V1_LIST_RULES: ListRules = {};

export async function listOrganizations(app: AppContext, p: Principal, q: { product?: string; productPlan?: string } & PageRequest, rules: ListRules = V1_LIST_RULES) {
  const onAstro = rules.astronomerProduct === undefined || rules.astronomerProduct === 'ASTRO';
  const page = await repo.listOrganizations(app.db, { ids: onAstro ? [p.organizationId] : [], product: q.product, productPlan: q.productPlan }, q);
  return envelope('organizations', page, await organizationViews(app.db, page.items));
}

export async function updateOrganization(app: AppContext, p: Principal, id: string, body: UpdateOrganizationBody): Promise<OrganizationView> {
  requireText('name', body.name);
  return inTransaction(app.db, async (tx) => {
    found(await repo.findOrganization(tx, id), 'Organization');
    await repo.updateOrganization(tx, id, {
      name: body.name,
      billing_email: body.billingEmail,
      is_scim_enabled: fromBool(body.isScimEnabled),
      ...(body.allowEnhancedSupportAccess !== undefined ? { allow_enhanced_support_access: fromBool(body.allowEnhancedSupportAccess) } : {}),
      ...(body.hasAiFeaturesDisabled !== undefined ? { has_ai_features_disabled: fromBool(body.hasAiFeaturesDisabled) } : {}),
      ...(body.shouldEnforceDedicatedClusters !== undefined ? { should_enforce_dedicated_clusters: fromBool(body.shouldEnforceDedicatedClusters) } : {}),
      ...updatedColumns(actor(p), app.clock.now()),
    });
    return organizationView(tx, found(await repo.findOrganization(tx, id), 'Organization'));
  });
}

/**
 * Stores a new organization, in the caller's transaction, the way Astrolabe makes them (the real
 * API has no such operation): ACTIVE, on the ENTERPRISE_BUSINESS_CRITICAL plan so that
 * plan-gated features are available, created by `by` (its owner token, see src/bootstrap.ts).
 */
export async function insertOrganization(tx: Queryable, now: Date, by: ActorRef, o: { id: string; name: string; product?: 'HOSTED' | 'HYBRID' }): Promise<void> {
  await repo.insertOrganization(tx, {
    id: o.id,
    name: o.name,
    billing_email: null,
    is_scim_enabled: 0,
    allow_enhanced_support_access: 0,
    has_ai_features_disabled: 0,
    is_blocked_enable_ai_features: 0,
    should_enforce_dedicated_clusters: 0,
    product: o.product ?? 'HOSTED',
    status: 'ACTIVE',
    payment_method: null,
    trial_expires_at: null,
    product_plan_id: newId(),
    product_plan_name: 'ENTERPRISE_BUSINESS_CRITICAL',
    ...createdColumns(by, now),
  });
}
