import type { AppContext } from '../../context.js';
import { actor } from '../../auth/access.js';
import type { Principal } from '../../auth/principal.js';
import { auditRefs, resolveProfiles } from '../../auth/subjects.js';
import { invalidField, notFound } from '../../http/errors.js';
import type { PageRequest } from '../../store/pagination.js';
import type { CloudProvider } from '../../http/schemas.js';
import { requireText } from '../../http/rules.js';
import { fromBool, inTransaction, toBool, type Queryable } from '../../store/db.js';
import { newId } from '../../store/ids.js';
import { storedTime, wireTime } from '../../time.js';
import { findRegion, STANDARD_REGIONS } from '../options/catalog.js';
import { findCluster } from '../clusters/repo.js';
import { organizationSummary } from '../organizations/repo.js';
import * as repo from './repo.js';
import type { CreateWorkspaceBody, UpdateWorkspaceBody, WorkspaceView } from './schema.js';

/** Renders rows of one organization. */
async function views(db: Queryable, rows: repo.WorkspaceRow[]): Promise<WorkspaceView[]> {
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

interface Defaults {
  default_cluster_id: string | null;
  default_cloud_provider: string | null;
  default_region: string | null;
}

/**
 * Checks the default-infrastructure fields of a create or update. Returns the columns to store,
 * or undefined when the request names none of them (an update then keeps what is stored).
 * An empty string clears a field. A cluster default and a provider/region default exclude each
 * other; setting one kind clears the other.
 */
async function resolveDefaults(db: Queryable, organizationId: string, body: { defaultClusterId?: string; defaultCloudProvider?: string; defaultRegion?: string }): Promise<Defaults | undefined> {
  const { defaultClusterId, defaultCloudProvider, defaultRegion } = body;
  if (defaultClusterId === undefined && defaultCloudProvider === undefined && defaultRegion === undefined) return undefined;
  const clusterId = defaultClusterId || null;
  const provider = defaultCloudProvider || null;
  const region = defaultRegion || null;
  if (clusterId && (provider || region)) {
    throw invalidField('defaultClusterId', 'excluded_with', 'defaultClusterId cannot be combined with defaultCloudProvider or defaultRegion');
  }
  if (provider && !region) throw invalidField('defaultRegion', 'required_with', 'defaultRegion is required when defaultCloudProvider is set');
  if (region && !provider) throw invalidField('defaultCloudProvider', 'required_with', 'defaultCloudProvider is required when defaultRegion is set');
  if (provider && region && !findRegion(STANDARD_REGIONS[provider as CloudProvider], region)) {
    const valid = STANDARD_REGIONS[provider as CloudProvider].map((r) => r.name).join(' ');
    throw invalidField('defaultRegion', 'oneof', `defaultRegion must be one of [${valid}] for ${provider}`);
  }
  if (clusterId && !(await findCluster(db, organizationId, clusterId))) {
    throw invalidField('defaultClusterId', 'exists', 'defaultClusterId does not name a cluster in this Organization');
  }
  return { default_cluster_id: clusterId, default_cloud_provider: provider, default_region: region };
}

export async function listWorkspaces(app: AppContext, organizationId: string, q: { workspaceIds?: string[]; names?: string[] } & PageRequest) {
  const page = await repo.listWorkspaces(app.db, organizationId, { ids: q.workspaceIds, names: q.names }, q);
  return { workspaces: await views(app.db, page.items), limit: page.limit, offset: page.offset, totalCount: page.totalCount };
}

export async function getWorkspace(app: AppContext, organizationId: string, id: string): Promise<WorkspaceView> {
  const row = await repo.findWorkspace(app.db, organizationId, id);
  if (!row) throw notFound('Workspace');
  return (await views(app.db, [row]))[0]!;
}

export async function createWorkspace(app: AppContext, p: Principal, organizationId: string, body: CreateWorkspaceBody): Promise<WorkspaceView> {
  requireText('name', body.name);
  return inTransaction(app.db, async (tx) => {
    const defaults = await resolveDefaults(tx, organizationId, body);
    const now = storedTime(app.clock.now());
    const by = actor(p);
    const id = newId();
    await repo.insertWorkspace(tx, {
      id,
      organization_id: organizationId,
      name: body.name,
      description: body.description ?? null,
      cicd_enforced_default: fromBool(body.cicdEnforcedDefault),
      default_cluster_id: defaults?.default_cluster_id ?? null,
      default_cloud_provider: defaults?.default_cloud_provider ?? null,
      default_region: defaults?.default_region ?? null,
      created_at: now, created_by_id: by.id, created_by_type: by.type,
      updated_at: now, updated_by_id: by.id, updated_by_type: by.type,
    });
    return (await views(tx, [(await repo.findWorkspace(tx, organizationId, id))!]))[0]!;
  });
}

export async function updateWorkspace(app: AppContext, p: Principal, organizationId: string, id: string, body: UpdateWorkspaceBody): Promise<WorkspaceView> {
  requireText('name', body.name);
  return inTransaction(app.db, async (tx) => {
    if (!(await repo.findWorkspace(tx, organizationId, id))) throw notFound('Workspace');
    const defaults = await resolveDefaults(tx, organizationId, body);
    const by = actor(p);
    await repo.updateWorkspace(tx, id, {
      name: body.name,
      description: body.description,
      cicd_enforced_default: fromBool(body.cicdEnforcedDefault),
      ...(defaults ?? {}),
      updated_at: storedTime(app.clock.now()), updated_by_id: by.id, updated_by_type: by.type,
    });
    return (await views(tx, [(await repo.findWorkspace(tx, organizationId, id))!]))[0]!;
  });
}

export async function deleteWorkspace(app: AppContext, organizationId: string, id: string): Promise<void> {
  await inTransaction(app.db, async (tx) => {
    if (!(await repo.findWorkspace(tx, organizationId, id))) throw notFound('Workspace');
    await repo.deleteWorkspace(tx, id);
  });
}
