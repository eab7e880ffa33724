import { auditRefs, resolveProfiles } from '../../auth/subjects.js';
import type { Queryable } from '../../store/types.js';
import { wireTime } from '../../time.js';
import type { IpRangeRow } from './repo.js';
import type { AllowedIpAddressRangeView } from './schema.js';

/** The canonical read model of allowed IP address ranges, as /v1 shows them. */
export async function rangeViews(db: Queryable, rows: IpRangeRow[]): Promise<AllowedIpAddressRangeView[]> {
  if (rows.length === 0) return [];
  const profiles = await resolveProfiles(db, auditRefs(rows));
  return rows.map((r) => ({
    createdAt: wireTime(r.created_at),
    createdBy: profiles.get(r.created_by_id),
    id: r.id,
    ipAddressRange: r.ip_address_range,
    organizationId: r.organization_id,
    updatedAt: wireTime(r.updated_at),
    updatedBy: profiles.get(r.updated_by_id),
  }));
}
