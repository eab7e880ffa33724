import type { AppContext } from '../../context.js';
import { actor, type Visible } from '../../auth/access.js';
import type { Principal } from '../../auth/principal.js';
import { FieldCode, found, invalidField } from '../../core/errors.js';
import { createdColumns, updatedColumns } from '../../store/audit.js';
import { envelope, type PageRequest } from '../../store/pagination.js';
import type { CloudProvider } from '../../core/schemas.js';
import { requireText } from '../../core/rules.js';
import { fromBool } from '../../store/codecs.js';
import { inTransaction } from '../../store/transactions.js';
import type { Queryable } from '../../store/types.js';
import { newId } from '../../store/ids.js';
import { findRegion, STANDARD_REGIONS } from '../../platform/catalog.js';
import { findCluster } from '../clusters/repo.js';
import * as repo from './repo.js';
import { workspaceView, workspaceViews } from './view.js';
import type { CreateWorkspaceBody, UpdateWorkspaceBody, WorkspaceView } from './schema.js';

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
    throw invalidField('defaultClusterId', FieldCode.excludedWith, 'defaultClusterId cannot be combined with defaultCloudProvider or defaultRegion');
  }
  if (provider && !region) throw invalidField('defaultRegion', FieldCode.requiredWith, 'defaultRegion is required when defaultCloudProvider is set');
  if (region && !provider) throw invalidField('defaultCloudProvider', FieldCode.requiredWith, 'defaultCloudProvider is required when defaultRegion is set');
  if (provider && region && !findRegion(STANDARD_REGIONS[provider as CloudProvider], region)) {
    const valid = STANDARD_REGIONS[provider as CloudProvider].map((r) => r.name).join(' ');
    throw invalidField('defaultRegion', FieldCode.oneOf, `defaultRegion must be one of [${valid}] for ${provider}`);
  }
  if (clusterId && !(await findCluster(db, organizationId, clusterId))) {
    throw invalidField('defaultClusterId', FieldCode.exists, 'defaultClusterId does not name a cluster in this Organization');
  }
  return { default_cluster_id: clusterId, default_cloud_provider: provider, default_region: region };
}

/** A page of Workspaces; `visible` narrows it to what a Workspace- or Deployment-scoped caller may see. */
export async function listWorkspaces(app: AppContext, organizationId: string, q: { workspaceIds?: string[]; names?: string[] } & PageRequest, visible: Visible = { all: true }) {
  let ids = q.workspaceIds;
  if (!visible.all) ids = ids === undefined ? visible.workspaceIds : ids.filter((id) => visible.workspaceIds.includes(id));
  const page = await repo.listWorkspaces(app.db, organizationId, { ids, names: q.names }, q);
  return envelope('workspaces', page, await workspaceViews(app.db, page.items));
}

export async function getWorkspace(app: AppContext, organizationId: string, id: string): Promise<WorkspaceView> {
  return workspaceView(app.db, found(await repo.findWorkspace(app.db, organizationId, id), 'Workspace'));
}

export async function createWorkspace(app: AppContext, p: Principal, organizationId: string, body: CreateWorkspaceBody): Promise<WorkspaceView> {
  requireText('name', body.name);
  return inTransaction(app.db, async (tx) => {
    const defaults = await resolveDefaults(tx, organizationId, body);
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
      ...createdColumns(actor(p), app.clock.now()),
    });
    return workspaceView(tx, found(await repo.findWorkspace(tx, organizationId, id), 'Workspace'));
  });
}

export async function updateWorkspace(app: AppContext, p: Principal, organizationId: string, id: string, body: UpdateWorkspaceBody): Promise<WorkspaceView> {
  requireText('name', body.name);
  return inTransaction(app.db, async (tx) => {
    found(await repo.findWorkspace(tx, organizationId, id), 'Workspace');
    const defaults = await resolveDefaults(tx, organizationId, body);
    await repo.updateWorkspace(tx, id, {
      name: body.name,
      description: body.description,
      cicd_enforced_default: fromBool(body.cicdEnforcedDefault),
      ...(defaults ?? {}),
      ...updatedColumns(actor(p), app.clock.now()),
    });
    return workspaceView(tx, found(await repo.findWorkspace(tx, organizationId, id), 'Workspace'));
  });
}

/** What the workspaces family does when a cluster is deleted: no Workspace keeps it as its default. */
export const deleteOn = (tx: Queryable, on: { clusterId: string }): Promise<void> => repo.clearDefaultCluster(tx, on.clusterId);
