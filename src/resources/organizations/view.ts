import { auditRefs, resolveProfiles, type SubjectProfile } from '../../auth/subjects.js';
import { toBool } from '../../store/codecs.js';
import type { Queryable } from '../../store/types.js';
import { wireTime } from '../../time.js';
import type { OrganizationRow } from './repo.js';
import type { OrganizationView } from './schema.js';

/** The canonical read model of organizations, as /v1 shows them. */
function toView(r: OrganizationRow, profiles: Map<string, SubjectProfile>): OrganizationView {
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

export async function organizationViews(db: Queryable, rows: OrganizationRow[]): Promise<OrganizationView[]> {
  const profiles = await resolveProfiles(db, auditRefs(rows));
  return rows.map((r) => toView(r, profiles));
}

export async function organizationView(db: Queryable, row: OrganizationRow): Promise<OrganizationView> {
  return (await organizationViews(db, [row]))[0]!;
}
