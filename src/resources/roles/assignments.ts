import type { Static } from 'typebox';
import { rolePermissions } from '../../auth/grants.js';
import { BUILT_IN_ROLES, builtInPermissions } from '../../auth/permissions.js';
import type { Principal } from '../../auth/principal.js';
import { FieldCode, invalidField } from '../../core/errors.js';
import { requireText } from '../../core/rules.js';
import type { DagRole, DeploymentRole, SubjectRolesView, WorkspaceRole } from '../../core/schemas.js';
import { compareRuntimeVersions, DAG_ROLES_MIN_RUNTIME } from '../../platform/catalog.js';
import type { Queryable } from '../../store/types.js';
import { findDeployment, lockDeployments, type DeploymentRow } from '../deployments/repo.js';
import { existingWorkspaceIds, lockWorkspaces } from '../workspaces/repo.js';
import { checkCeiling, checkChangeAt, type GrantPlace } from './ceiling.js';
import type { Grant, RoleScope } from './repo.js';
import * as repo from './repo.js';

/**
 * Who holds what, for users and Teams: checking a role update against the Organization's
 * contents and against what its caller may grant, and how a stored role set is shown (also for
 * API tokens, whose Organization role is one of their grants).
 */

/**
 * Checks a role name given for a grant on an entity of `entityType` (ORGANIZATION, WORKSPACE,
 * DEPLOYMENT, DAG or DAG_TAG) in the organization, and answers 400 on `field` otherwise:
 * Organization and Workspace roles are the built-in ones; a Deployment role is DEPLOYMENT_ADMIN or
 * a custom DEPLOYMENT role of the organization, a DAG role DAG_VIEWER, DAG_AUTHOR or a custom DAG
 * role. A custom role restricted to some Workspaces is refused on a Deployment of another one
 * (`workspaceId` is the Workspace of the Deployment the grant is on). Every grant of a role, to a
 * token, a user or a Team, is checked here. Answers the permissions the role carries, for the
 * grant ceiling (./ceiling.ts).
 */
export async function checkRoleName(q: Queryable, organizationId: string, entityType: string, name: string, at: { field: string; workspaceId?: string }): Promise<ReadonlySet<string>> {
  const kind = entityType === 'DAG_TAG' ? 'DAG' : entityType;
  const builtIn = BUILT_IN_ROLES[kind as keyof typeof BUILT_IN_ROLES];
  if (!builtIn) throw invalidField(at.field, FieldCode.oneOf, `${entityType} is not a kind of entity roles are held on`);
  if (builtIn.includes(name)) return builtInPermissions(name)!;
  if (kind === 'ORGANIZATION' || kind === 'WORKSPACE' || builtInPermissions(name)) {
    throw invalidField(at.field, FieldCode.oneOf, `${name} is not a ${entityType} role; one of [${builtIn.join(' ')}]${kind === 'DEPLOYMENT' || kind === 'DAG' ? ' or a custom role' : ''}`);
  }
  const custom = await repo.lockRoleByName(q, organizationId, name);
  if (!custom || custom.scope_type !== kind) {
    throw invalidField(at.field, FieldCode.oneOf, `${name} is neither a built-in ${kind} role [${builtIn.join(' ')}] nor a custom ${kind} role of this Organization`);
  }
  const restricted = repo.jsonList(custom.restricted_workspace_ids);
  if (restricted.length > 0 && at.workspaceId !== undefined && !restricted.includes(at.workspaceId)) {
    throw invalidField(at.field, FieldCode.invalid, `the custom role ${name} is restricted to other Workspaces`);
  }
  return rolePermissions(name, { scopeType: custom.scope_type, permissions: repo.jsonList(custom.permissions), restrictedWorkspaceIds: restricted });
}

/**
 * DAG and DAG_TAG roles need Astro Runtime 3.1-12 or later on their Deployment (domain.md §4.1):
 * a 400 on `field` (the role's deploymentId) for a grant on an older one.
 */
export function checkDagRoleRuntime(d: Pick<DeploymentRow, 'id' | 'runtime_version'>, field: string): void {
  if (compareRuntimeVersions(d.runtime_version, DAG_ROLES_MIN_RUNTIME) < 0) {
    throw invalidField(field, FieldCode.runtime, `DAG roles need Astro Runtime ${DAG_ROLES_MIN_RUNTIME} or later; Deployment ${d.id} runs ${d.runtime_version}`);
  }
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
  rows: Grant[];
}

/** Who asks for a role update of a user or Team, and what the subject holds before it. */
export interface RoleUpdateContext {
  principal: Principal;
  /** The permission every single change needs on its own entity (the operation's gate). */
  gate: string;
  /** The subject's Organization role and Workspace, Deployment and DAG roles as stored now. */
  organizationRole: string | null;
  grants: readonly Grant[];
}

const grantKey = (g: Pick<Grant, 'entityType' | 'entityId' | 'deploymentId' | 'role'>) => [g.entityType, g.entityId, g.deploymentId ?? '', g.role].join('\u0000');

/**
 * Checks a role update of a user or Team: every name for its level, every Workspace and
 * Deployment of the Organization (400 naming the field otherwise), no place twice, a DAG role on
 * exactly one of dagId/dagTag and on a Deployment whose runtime takes DAG roles. Each change
 * (a role the subject does not hold yet, or one it loses) is checked on its own entity: the
 * caller needs `gate` there (403), whatever the entity, so that a Workspace or Deployment the
 * caller cannot reach answers alike whether it exists or not; and a role granted must pass the
 * ceiling (./ceiling.ts). What the subject keeps as it is is not a change: a Workspace Owner
 * sends a user's Organization role and its roles elsewhere back unchanged, as the CLI does.
 */
export async function checkRoleChanges(db: Queryable, organizationId: string, body: RoleChanges, by: RoleUpdateContext): Promise<CheckedRoles> {
  const scopes: RoleScope[] = [];
  const rows: Grant[] = [];
  const p = by.principal;
  // Every Workspace and Deployment named is locked before it is checked: a concurrent delete of
  // one either commits first (the check then finds nothing) or waits for this transaction and
  // then removes the roles it wrote. Workspaces before Deployments, each set in id order.
  await lockWorkspaces(db, organizationId, (body.workspaceRoles ?? []).map((r) => r.workspaceId));
  await lockDeployments(db, organizationId, [...(body.deploymentRoles ?? []), ...(body.dagRoles ?? [])].map((r) => r.deploymentId));
  if (body.organizationRole !== undefined) {
    const place: GrantPlace = { entityType: 'ORGANIZATION', entityId: organizationId };
    const changed = body.organizationRole !== by.organizationRole;
    if (changed) checkChangeAt(p, by.gate, place);
    const permissions = await checkRoleName(db, organizationId, 'ORGANIZATION', body.organizationRole, { field: 'organizationRole' });
    if (changed) checkCeiling(p, body.organizationRole, permissions, place);
  }
  const held = new Set(by.grants.map(grantKey));

  const deployments = new Map<string, DeploymentRow | undefined>();
  const deployment = async (id: string) => {
    if (!deployments.has(id)) deployments.set(id, await findDeployment(db, organizationId, id));
    return deployments.get(id);
  };
  const placeOf = async (g: Grant): Promise<GrantPlace> => {
    if (g.entityType === 'WORKSPACE') return { entityType: g.entityType, entityId: g.entityId, workspaceId: g.entityId };
    const depId = g.entityType === 'DEPLOYMENT' ? g.entityId : g.deploymentId ?? '';
    const d = await deployment(depId);
    return { entityType: g.entityType, entityId: g.entityId, deploymentId: depId, ...(d ? { workspaceId: d.workspace_id } : {}) };
  };

  if (body.workspaceRoles !== undefined) {
    scopes.push('WORKSPACE');
    const ids = body.workspaceRoles.map((r) => r.workspaceId);
    const existing = await existingWorkspaceIds(db, organizationId, [...new Set(ids)]);
    const seen = new Set<string>();
    for (const [i, r] of body.workspaceRoles.entries()) {
      const at = `workspaceRoles[${i}]`;
      requireText(`${at}.workspaceId`, r.workspaceId);
      const row: Grant = { entityType: 'WORKSPACE', entityId: r.workspaceId, deploymentId: null, role: r.role };
      const changed = !held.has(grantKey(row));
      const place = await placeOf(row);
      if (changed) checkChangeAt(p, by.gate, place);
      if (!existing.has(r.workspaceId)) throw invalidField(`${at}.workspaceId`, FieldCode.exists, `${at}.workspaceId names no Workspace of this Organization`);
      if (seen.has(r.workspaceId)) throw invalidField(`${at}.workspaceId`, FieldCode.unique, `${at}.workspaceId repeats Workspace ${r.workspaceId}`);
      seen.add(r.workspaceId);
      const permissions = await checkRoleName(db, organizationId, 'WORKSPACE', r.role, { field: `${at}.role` });
      if (changed) checkCeiling(p, r.role, permissions, place);
      rows.push(row);
    }
  }

  if (body.deploymentRoles !== undefined) {
    scopes.push('DEPLOYMENT');
    const seen = new Set<string>();
    for (const [i, r] of body.deploymentRoles.entries()) {
      const at = `deploymentRoles[${i}]`;
      requireText(`${at}.deploymentId`, r.deploymentId);
      const row: Grant = { entityType: 'DEPLOYMENT', entityId: r.deploymentId, deploymentId: null, role: r.role };
      const changed = !held.has(grantKey(row));
      const place = await placeOf(row);
      if (changed) checkChangeAt(p, by.gate, place);
      if (!(await deployment(r.deploymentId))) throw invalidField(`${at}.deploymentId`, FieldCode.exists, `${at}.deploymentId names no Deployment of this Organization`);
      if (seen.has(r.deploymentId)) throw invalidField(`${at}.deploymentId`, FieldCode.unique, `${at}.deploymentId repeats Deployment ${r.deploymentId}`);
      seen.add(r.deploymentId);
      const permissions = await checkRoleName(db, organizationId, 'DEPLOYMENT', r.role, { field: `${at}.role`, workspaceId: place.workspaceId });
      if (changed) checkCeiling(p, r.role, permissions, place);
      rows.push(row);
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
      const scope = hasId ? 'DAG' : 'DAG_TAG';
      const entity = hasId ? r.dagId! : r.dagTag!;
      const row: Grant = { entityType: scope, entityId: entity, deploymentId: r.deploymentId, role: r.role };
      const changed = !held.has(grantKey(row));
      const place = await placeOf(row);
      if (changed) checkChangeAt(p, by.gate, place);
      const d = await deployment(r.deploymentId);
      if (!d) throw invalidField(`${at}.deploymentId`, FieldCode.exists, `${at}.deploymentId names no Deployment of this Organization`);
      const key = `${scope}\u0000${entity}\u0000${r.deploymentId}`;
      if (seen.has(key)) throw invalidField(`${at}.${hasId ? 'dagId' : 'dagTag'}`, FieldCode.unique, `${at} repeats the role on ${hasId ? 'DAG' : 'DAG tag'} ${entity} of Deployment ${r.deploymentId}`);
      seen.add(key);
      const permissions = await checkRoleName(db, organizationId, 'DAG', r.role, { field: `${at}.role`, workspaceId: place.workspaceId });
      if (changed) {
        checkDagRoleRuntime(d, `${at}.deploymentId`);
        checkCeiling(p, r.role, permissions, place);
      }
      rows.push(row);
    }
  }

  // Roles the subject loses: taking one away is a change on its entity too.
  const kept = new Set(rows.map(grantKey));
  for (const g of by.grants) {
    if (scopes.includes(g.entityType as RoleScope) && !kept.has(grantKey(g))) checkChangeAt(p, by.gate, await placeOf(g));
  }
  return { organizationRole: body.organizationRole, scopes, rows };
}

type WorkspaceRoleView = Static<typeof WorkspaceRole>;

/** The Deployment of a DAG or DAG_TAG grant: every check that stores one requires it. */
function dagDeployment(g: Grant): string {
  if (g.deploymentId === null) throw new Error(`a ${g.entityType} role on ${g.entityId} is stored without its Deployment`);
  return g.deploymentId;
}

/** Workspace, Deployment and DAG roles as SubjectRoles shows them: each list left out when empty. */
export function scopedRolesView(grants: Grant[]): Omit<SubjectRolesView, 'organizationRole'> {
  const ws = grants.filter((g) => g.entityType === 'WORKSPACE').map((g) => ({ role: g.role as WorkspaceRoleView['role'], workspaceId: g.entityId }));
  const dep = grants.filter((g) => g.entityType === 'DEPLOYMENT').map((g) => ({ deploymentId: g.entityId, role: g.role }));
  const dag = grants.filter((g) => g.entityType === 'DAG' || g.entityType === 'DAG_TAG').map((g) => ({
    ...(g.entityType === 'DAG' ? { dagId: g.entityId } : { dagTag: g.entityId }),
    deploymentId: dagDeployment(g),
    role: g.role,
  }));
  return {
    ...(dag.length > 0 ? { dagRoles: dag } : {}),
    ...(dep.length > 0 ? { deploymentRoles: dep } : {}),
    ...(ws.length > 0 ? { workspaceRoles: ws } : {}),
  };
}

/**
 * A whole role set as SubjectRoles. A user's or Team's Organization role is a column of its own
 * (`organizationRole`); an API token's is one of its grants.
 */
export function subjectRolesView(grants: Grant[], organizationRole: string | null = grants.find((g) => g.entityType === 'ORGANIZATION')?.role ?? null): SubjectRolesView {
  return { ...scopedRolesView(grants), ...(organizationRole !== null ? { organizationRole } : {}) };
}

/** How many roles a user or Team holds, its Organization role included. */
export function rolesCount(organizationRole: string | null, grants: Grant[]): number {
  return grants.length + (organizationRole !== null ? 1 : 0);
}
