import { auditRefs, resolveProfiles } from '../../auth/subjects.js';
import type { CloudProvider } from '../../core/schemas.js';
import { toBool } from '../../store/codecs.js';
import type { Queryable } from '../../store/types.js';
import { wireTime } from '../../time.js';
import { organizationSummary } from '../organizations/repo.js';
import type { WorkspaceRow } from './repo.js';
import type { WorkspaceView } from './schema.js';

/** The canonical read model of workspaces (rows of one organization), as /v1 shows them. */
export async function workspaceViews(db: Queryable, rows: WorkspaceRow[]): Promise<WorkspaceView[]> {
  if (rows.length === 0) return [];
  const profiles = await resolveProfiles(db, auditRefs(rows));
  const organizationName = (await organizationSummary(db, rows[0]!.organization_id))?.name;
  return rows.map((r) => ({
    cicdEnforcedDefault: toBool(r.cicd_enforced_default),
    createdAt: wireTime(r.created_at),
    createdBy: profiles.get(r.created_by_id),
    defaultCloudProvider: (r.default_cloud_provider ?? undefined) as CloudProvider | undefined,
    defaultClusterId: r.default_cluster_id ?? undefined,
    defaultRegion: r.default_region ?? undefined,
    description: r.description ?? undefined,
    id: r.id,
    name: r.name,
    organizationId: r.organization_id,
    organizationName,
    updatedAt: wireTime(r.updated_at),
    updatedBy: profiles.get(r.updated_by_id),
  }));
}

export async function workspaceView(db: Queryable, row: WorkspaceRow): Promise<WorkspaceView> {
  return (await workspaceViews(db, [row]))[0]!;
}
