import type { Static } from 'typebox';
import { FieldCode, invalidField } from '../../core/errors.js';
import { requireText } from '../../core/rules.js';
import type { DagRole, DeploymentRole, SubjectRolesView, WorkspaceRole } from '../../core/schemas.js';
import type { Queryable } from '../../store/types.js';
import { findDeployment, lockDeployments } from '../deployments/repo.js';
import { existingWorkspaceIds, lockWorkspaces } from '../workspaces/repo.js';
import { checkRoleName } from '../roles/service.js';
import type { RoleScope, SubjectRoleRow } from './repo.js';

/**
 * The roles users and Teams hold: which names each level accepts, checking a role update against
 * the Organization's contents, and how a stored set is shown.
 */

export type RoleLevel = 'ORGANIZATION' | 'WORKSPACE' | 'DEPLOYMENT' | 'DAG';

/**
 * The one check of a role name for a level: Organization and Workspace roles are the built-in
 * ones; a Deployment or DAG role is built-in or a custom role of that scope type (the roles
 * family's check, which also knows custom roles). `field` names the request field in the 400.
 */
export async function checkRoleNames(db: Queryable, organizationId: string, level: RoleLevel, role: string, field: string): Promise<void> {
  await checkRoleName(db, organizationId, level, role, { field });
}

export interface RoleChanges {
  organizationRole?: string;
  workspaceRoles?: Static<typeof WorkspaceRole>[];
  deploymentRoles?: Static<typeof DeploymentRole>[];
  dagRoles?: Static<typeof DagRole>[];
}

export interface CheckedRoles {
  organizationRole?: string;
  /** The scopes whose roles the request replaces (the lists it sent); the others stay. */
  scopes: RoleScope[];
  /** The new roles of those scopes, as stored. */
  rows: SubjectRoleRow[];
}

/**
 * Checks a role update of a user or Team: every name for its level, every Workspace and
 * Deployment of the Organization (400 naming the field otherwise), no place twice, a DAG role on
 * exactly one of dagId/dagTag.
 */
export async function checkRoleChanges(db: Queryable, organizationId: string, body: RoleChanges): Promise<CheckedRoles> {
  const scopes: RoleScope[] = [];
  const rows: SubjectRoleRow[] = [];
  // Every Workspace and Deployment named is locked before it is checked: a concurrent delete of
  // one either commits first (the check then finds nothing) or waits for this transaction and
  // then removes the roles it wrote. Workspaces before Deployments, each set in id order.
  await lockWorkspaces(db, organizationId, (body.workspaceRoles ?? []).map((r) => r.workspaceId));
  await lockDeployments(db, organizationId, [...(body.deploymentRoles ?? []), ...(body.dagRoles ?? [])].map((r) => r.deploymentId));
  if (body.organizationRole !== undefined) await checkRoleNames(db, organizationId, 'ORGANIZATION', body.organizationRole, 'organizationRole');

  if (body.workspaceRoles !== undefined) {
    scopes.push('WORKSPACE');
    const ids = body.workspaceRoles.map((r) => r.workspaceId);
    const existing = await existingWorkspaceIds(db, organizationId, [...new Set(ids)]);
    const seen = new Set<string>();
    for (const [i, r] of body.workspaceRoles.entries()) {
      const at = `workspaceRoles[${i}]`;
      requireText(`${at}.workspaceId`, r.workspaceId);
      if (!existing.has(r.workspaceId)) throw invalidField(`${at}.workspaceId`, FieldCode.exists, `${at}.workspaceId names no Workspace of this Organization`);
      if (seen.has(r.workspaceId)) throw invalidField(`${at}.workspaceId`, FieldCode.unique, `${at}.workspaceId repeats Workspace ${r.workspaceId}`);
      seen.add(r.workspaceId);
      await checkRoleNames(db, organizationId, 'WORKSPACE', r.role, `${at}.role`);
      rows.push({ scope_type: 'WORKSPACE', entity_id: r.workspaceId, deployment_id: null, role: r.role });
    }
  }

  const deployments = new Map<string, boolean>();
  const deploymentExists = async (id: string) => {
    let ok = deployments.get(id);
    if (ok === undefined) deployments.set(id, (ok = (await findDeployment(db, organizationId, id)) !== undefined));
    return ok;
  };

  if (body.deploymentRoles !== undefined) {
    scopes.push('DEPLOYMENT');
    const seen = new Set<string>();
    for (const [i, r] of body.deploymentRoles.entries()) {
      const at = `deploymentRoles[${i}]`;
      requireText(`${at}.deploymentId`, r.deploymentId);
      if (!(await deploymentExists(r.deploymentId))) throw invalidField(`${at}.deploymentId`, FieldCode.exists, `${at}.deploymentId names no Deployment of this Organization`);
      if (seen.has(r.deploymentId)) throw invalidField(`${at}.deploymentId`, FieldCode.unique, `${at}.deploymentId repeats Deployment ${r.deploymentId}`);
      seen.add(r.deploymentId);
      await checkRoleNames(db, organizationId, 'DEPLOYMENT', r.role, `${at}.role`);
      rows.push({ scope_type: 'DEPLOYMENT', entity_id: r.deploymentId, deployment_id: null, role: r.role });
    }
  }

  if (body.dagRoles !== undefined) {
    scopes.push('DAG', 'DAG_TAG');
    const seen = new Set<string>();
    for (const [i, r] of body.dagRoles.entries()) {
      const at = `dagRoles[${i}]`;
      requireText(`${at}.deploymentId`, r.deploymentId);
      const hasId = r.dagId !== undefined && r.dagId.trim() !== '';
      const hasTag = r.dagTag !== undefined && r.dagTag.trim() !== '';
      if (hasId === hasTag) throw invalidField(`${at}.dagId`, FieldCode.requiredWithout, `${at} needs exactly one of dagId and dagTag`);
      if (!(await deploymentExists(r.deploymentId))) throw invalidField(`${at}.deploymentId`, FieldCode.exists, `${at}.deploymentId names no Deployment of this Organization`);
      const scope = hasId ? 'DAG' : 'DAG_TAG';
      const entity = hasId ? r.dagId! : r.dagTag!;
      const key = `${scope}\u0000${entity}\u0000${r.deploymentId}`;
      if (seen.has(key)) throw invalidField(`${at}.${hasId ? 'dagId' : 'dagTag'}`, FieldCode.unique, `${at} repeats the role on ${hasId ? 'DAG' : 'DAG tag'} ${entity} of Deployment ${r.deploymentId}`);
      seen.add(key);
      await checkRoleNames(db, organizationId, 'DAG', r.role, `${at}.role`);
      rows.push({ scope_type: scope, entity_id: entity, deployment_id: r.deploymentId, role: r.role });
    }
  }
  return { organizationRole: body.organizationRole, scopes, rows };
}

type WorkspaceRoleView = Static<typeof WorkspaceRole>;

/** Workspace, Deployment and DAG roles as users and Teams show them: each list left out when empty. */
export function scopedRolesView(rows: SubjectRoleRow[]): Omit<SubjectRolesView, 'organizationRole'> {
  const ws = rows.filter((r) => r.scope_type === 'WORKSPACE').map((r) => ({ role: r.role as WorkspaceRoleView['role'], workspaceId: r.entity_id }));
  const dep = rows.filter((r) => r.scope_type === 'DEPLOYMENT').map((r) => ({ deploymentId: r.entity_id, role: r.role }));
  const dag = rows.filter((r) => r.scope_type === 'DAG' || r.scope_type === 'DAG_TAG').map((r) => ({
    ...(r.scope_type === 'DAG' ? { dagId: r.entity_id } : { dagTag: r.entity_id }),
    deploymentId: r.deployment_id ?? '',
    role: r.role,
  }));
  return {
    ...(dag.length > 0 ? { dagRoles: dag } : {}),
    ...(dep.length > 0 ? { deploymentRoles: dep } : {}),
    ...(ws.length > 0 ? { workspaceRoles: ws } : {}),
  };
}

/** A subject's whole role set as SubjectRoles. */
export function subjectRolesView(organizationRole: string | null, rows: SubjectRoleRow[]): SubjectRolesView {
  return { ...scopedRolesView(rows), ...(organizationRole !== null ? { organizationRole } : {}) };
}

/** How many roles a subject holds, its Organization role included. */
export function rolesCount(organizationRole: string | null, rows: SubjectRoleRow[]): number {
  return rows.length + (organizationRole !== null ? 1 : 0);
}
