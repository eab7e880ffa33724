import { inTransaction, withinTransaction } from '../../store/transactions.js';
import type { Queryable } from '../../store/types.js';
import type { Clock } from '../../time.js';
import { storedTime } from '../../time.js';
import { invalidateToken } from '../../store/cache.js';
import { actor, authorize, type Target } from '../../auth/access.js';
import type { Principal } from '../../auth/principal.js';
import { hashToken, mintTokenValue, shortTokenOf } from '../../auth/tokens.js';
import type { AppContext } from '../../context.js';
import { FieldCode, found, invalidField } from '../../core/errors.js';
import { requireText } from '../../core/rules.js';
import { updatedColumns } from '../../store/audit.js';
import { newId } from '../../store/ids.js';
import { envelope } from '../../store/pagination.js';
import { findDeployment, lockDeployments } from '../deployments/repo.js';
import { replaceTokenGrants, tokenGrants, type Grant } from '../roles/repo.js';
import { checkCeiling, checkCeilingOfHeld, checkDagRoleRuntime, checkRoleName, subjectRolesView, type GrantPlace } from '../roles/service.js';
import { findWorkspace, lockWorkspaces } from '../workspaces/repo.js';
import * as repo from './repo.js';
import type { ApiTokenRoleView, ApiTokenView, CreateApiTokenBody, ListApiTokensFilter, SubjectRolesView, TokenKind, UpdateApiTokenBody } from './schema.js';
import { tokenView, tokenViews } from './view.js';

export type TokenScope = 'ORGANIZATION' | 'WORKSPACE' | 'DEPLOYMENT';

export interface TokenRoleGrant {
  entityType: TokenScope | 'DAG' | 'DAG_TAG';
  entityId: string;
  role: string;
  /** DAG and DAG_TAG roles only: the Deployment of the DAGs. */
  deploymentId?: string;
}

export interface NewToken {
  organizationId: string;
  name: string;
  scope: TokenScope;
  /** The organization, workspace or deployment the token belongs to. */
  entityId: string;
  roles: TokenRoleGrant[];
  /** Fixes the id (the owner token is its own creator). */
  tokenId?: string;
  /** Fixes the secret (ASTROLABE_BOOTSTRAP_TOKEN). */
  value?: string;
  /** Who creates it; by default the token itself. */
  createdBy?: { id: string; type: string };
  description?: string;
  kind?: TokenKind;
  /** Days until the token expires; none: it never does. */
  expiryDays?: number;
  /** Makes it an agent token of this Deployment (see agents.ts). */
  agentDeploymentId?: string;
}

const DAY_MS = 86_400_000;
const endOf = (start: Date, days: number | null | undefined): Date | undefined =>
  days ? new Date(start.getTime() + days * DAY_MS) : undefined;

/**
 * Stores an API token with its roles and returns its id and value; the value is kept nowhere but
 * in the caller's hands (only its digest is stored). A new token needs no cache invalidation:
 * lookups that find nothing are not cached. Any write that changes or deletes a token must call
 * invalidateToken (../../store/cache.ts) in its transaction, as setTokenSecret does.
 */
export async function issueToken(db: Queryable, clock: Clock, t: NewToken): Promise<{ tokenId: string; token: string }> {
  const now = clock.now();
  const tokenId = t.tokenId ?? newId();
  const end = endOf(now, t.expiryDays);
  const value = t.value ?? (await mintTokenValue(db, { tokenId, organizationId: t.organizationId, scope: t.scope, entityId: t.entityId, issuedAt: now, expiresAt: end }));
  const at = storedTime(now);
  const by = t.createdBy ?? { id: tokenId, type: 'SERVICEKEY' };
  await repo.insertToken(db, {
    id: tokenId,
    organization_id: t.organizationId,
    name: t.name,
    description: t.description ?? null,
    scope: t.scope,
    kind: t.kind ?? 'STANDARD',
    entity_id: t.entityId,
    token_hash: hashToken(value),
    short_token: shortTokenOf(value),
    expiry_period_days: t.expiryDays ?? null,
    start_at: at,
    end_at: end ? storedTime(end) : null,
    last_used_at: null,
    last_rotated_at: null,
    agent_deployment_id: t.agentDeploymentId ?? null,
    created_at: at, created_by_id: by.id, created_by_type: by.type,
    updated_at: at, updated_by_id: by.id, updated_by_type: by.type,
  }, t.roles.map((r) => ({ entityType: r.entityType, entityId: r.entityId, role: r.role, deploymentId: r.deploymentId ?? null })));
  return { tokenId, token: value };
}

/** The organization's owner token: role ORGANIZATION_OWNER on the organization. */
export function createOwnerToken(db: Queryable, clock: Clock, o: { organizationId: string; tokenId: string; name: string; value?: string }): Promise<{ tokenId: string; token: string }> {
  return issueToken(db, clock, {
    organizationId: o.organizationId, name: o.name, scope: 'ORGANIZATION', entityId: o.organizationId,
    roles: [{ entityType: 'ORGANIZATION', entityId: o.organizationId, role: 'ORGANIZATION_OWNER' }],
    tokenId: o.tokenId, value: o.value,
  });
}

/**
 * Makes `value` the secret of an existing token (the bootstrap token on a later start). The old
 * secret stops working at once on this server and within a second on every other one.
 */
export function setTokenSecret(db: Queryable, tokenId: string, value: string): Promise<boolean> {
  return withinTransaction(db, async (tx) => {
    const changed = await repo.setSecretHash(tx, tokenId, hashToken(value), shortTokenOf(value));
    if (changed) await invalidateToken(tx, tokenId);
    return changed;
  });
}

// ---------------------------------------------------------------- the API

interface Scoped {
  scope: TokenScope;
  entityId: string;
}

/** Where a token's own entity sits: what authorization checks for operations on it. */
async function scopeTarget(db: Queryable, organizationId: string, t: Scoped): Promise<Target> {
  if (t.scope === 'WORKSPACE') return (await findWorkspace(db, organizationId, t.entityId)) ? { workspaceId: t.entityId } : {};
  if (t.scope === 'DEPLOYMENT') {
    const d = await findDeployment(db, organizationId, t.entityId);
    return d ? { workspaceId: d.workspace_id, deploymentId: d.id } : {};
  }
  return {};
}

/** The target of an operation on an existing token; a token that is not there targets only the organization. */
export async function tokenTarget(app: AppContext, organizationId: string, tokenId: string): Promise<Target> {
  const t = await repo.findToken(app.db, organizationId, tokenId);
  return t ? scopeTarget(app.db, organizationId, { scope: t.scope as TokenScope, entityId: t.entity_id }) : {};
}

/** The target of a create: the Workspace or Deployment the new token will belong to. */
export async function createTarget(app: AppContext, organizationId: string, body: CreateApiTokenBody): Promise<Target> {
  if (body.scope === 'ORGANIZATION') return {};
  requireText('entityId', body.entityId);
  return scopeTarget(app.db, organizationId, { scope: body.scope, entityId: body.entityId! });
}

/** The target of a list: the Workspace or Deployment it is filtered on, if any. */
export async function listTarget(app: AppContext, organizationId: string, q: ListApiTokensFilter): Promise<Target> {
  if (q.deploymentId !== undefined) return scopeTarget(app.db, organizationId, { scope: 'DEPLOYMENT', entityId: q.deploymentId });
  if (q.workspaceId !== undefined) return scopeTarget(app.db, organizationId, { scope: 'WORKSPACE', entityId: q.workspaceId });
  return {};
}

/** Who sets a token's roles, and the roles the token holds before (none for a new one). */
interface RoleSetter {
  principal: Principal;
  held: readonly Grant[];
}

const grantKey = (g: Grant) => [g.entityType, g.entityId, g.deploymentId ?? '', g.role].join('\u0000');

/**
 * Checks a token's complete role set against its scope and the organization's contents and
 * returns it as stored. Exactly one role is on the token's own entity; a Workspace token holds
 * nothing outside its Workspace and no Organization or DAG role; a Deployment token only its
 * Deployment role and DAG roles of its Deployment (the Terraform provider's validation accepts
 * DAG roles on Deployment tokens; see the README). Organization and Workspace roles are the
 * built-in ones; Deployment and DAG roles may also be custom roles of the organization
 * (checkRoleName), and DAG roles need a Deployment on Runtime 3.1-12 or later. Every role the
 * token does not hold yet must pass the grant ceiling for its setter.
 */
async function checkRoles(db: Queryable, organizationId: string, t: Scoped, roles: ApiTokenRoleView[], by: RoleSetter): Promise<Grant[]> {
  // Locked before they are checked, as for users' roles (users/roles.ts checkRoleChanges): a
  // Workspace or Deployment deleted meanwhile is either gone at the check or takes these roles
  // with it once this transaction commits.
  await lockWorkspaces(db, organizationId, roles.filter((r) => r.entityType === 'WORKSPACE').map((r) => r.entityId));
  await lockDeployments(db, organizationId, roles.flatMap((r) => r.entityType === 'DEPLOYMENT' ? [r.entityId] : r.entityType === 'DAG' || r.entityType === 'DAG_TAG' ? [r.deploymentId] : []));
  const out: Grant[] = [];
  const granted: { role: string; permissions: ReadonlySet<string>; place: GrantPlace }[] = [];
  const held = new Set(by.held.map(grantKey));
  const seen = new Set<string>();
  let own = 0;
  for (const [i, r] of roles.entries()) {
    const at = `roles[${i}]`;
    const bad = (field: string, message: string) => invalidField(`${at}.${field}`, FieldCode.invalid, message);
    requireText(`${at}.entityId`, r.entityId);
    requireText(`${at}.role`, r.role);
    const type = r.entityType;
    let workspaceId: string | undefined;
    let deploymentId: string | null = null;
    let deployment: Awaited<ReturnType<typeof findDeployment>>;
    if (type === 'ORGANIZATION') {
      if (r.entityId !== organizationId) throw bad('entityId', 'an ORGANIZATION role must be on the token\'s own Organization');
    } else if (type === 'WORKSPACE') {
      found(await findWorkspace(db, organizationId, r.entityId), 'Workspace');
      workspaceId = r.entityId;
    } else if (type === 'DEPLOYMENT') {
      workspaceId = found(await findDeployment(db, organizationId, r.entityId), 'Deployment').workspace_id;
    } else {
      if (r.deploymentId === undefined || r.deploymentId.trim() === '') throw invalidField(`${at}.deploymentId`, FieldCode.required, `deploymentId is required for ${type} roles`);
      deployment = found(await findDeployment(db, organizationId, r.deploymentId), 'Deployment');
      workspaceId = deployment.workspace_id;
      deploymentId = r.deploymentId;
    }
    const permissions = await checkRoleName(db, organizationId, type, r.role, { field: `${at}.role`, workspaceId });
    const key = `${type}\u0000${r.entityId}\u0000${deploymentId ?? ''}`;
    if (seen.has(key)) throw bad('entityId', `the token holds a role on ${type} ${r.entityId} twice`);
    seen.add(key);
    if (type === t.scope) {
      if (r.entityId !== t.entityId) throw bad('entityId', `a ${t.scope} token holds its ${t.scope} role on its own ${t.scope.toLowerCase()} only`);
      own++;
    }
    if (t.scope === 'WORKSPACE') {
      if (type === 'ORGANIZATION') throw bad('entityType', 'a WORKSPACE token cannot hold an ORGANIZATION role');
      if (type === 'DAG' || type === 'DAG_TAG') throw bad('entityType', 'a WORKSPACE token cannot hold DAG roles (ORGANIZATION and DEPLOYMENT tokens can)');
      if (workspaceId !== t.entityId) throw bad('entityId', 'a WORKSPACE token holds roles inside its own Workspace only');
    }
    if (t.scope === 'DEPLOYMENT') {
      if (type !== 'DEPLOYMENT' && type !== 'DAG' && type !== 'DAG_TAG') throw bad('entityType', `a DEPLOYMENT token cannot hold a ${type} role`);
      if (deploymentId !== null && deploymentId !== t.entityId) throw invalidField(`${at}.deploymentId`, FieldCode.invalid, 'a DEPLOYMENT token holds DAG roles of its own Deployment only');
    }
    const row: Grant = { entityType: type, entityId: r.entityId, role: r.role, deploymentId };
    if (!held.has(grantKey(row))) {
      if (deployment) checkDagRoleRuntime(deployment, `${at}.deploymentId`);
      granted.push({
        role: r.role, permissions,
        place: { entityType: type, entityId: r.entityId, ...(workspaceId !== undefined ? { workspaceId } : {}), ...(deploymentId !== null ? { deploymentId } : {}) },
      });
    }
    out.push(row);
  }
  if (own !== 1) throw invalidField('roles', FieldCode.invalid, `the token must hold exactly one ${t.scope} role, on its own ${t.scope.toLowerCase()}`);
  // Once the whole set is known good: nobody grants more than they hold (403 naming the role).
  for (const g of granted) checkCeiling(by.principal, g.role, g.permissions, g.place);
  return out;
}

/**
 * Deployment API tokens are the Workspace Owner's (domain.md §4.1: Operators manage Workspace
 * API tokens, Owners add Deployment API tokens): beyond the token gate, an operation on one needs
 * the Deployment's own token permission (`deployment.apiTokens.<action>`) there, which Workspace
 * Owners and custom Deployment roles including it hold, and Operators and Deployment Admins do not.
 */
function checkDeploymentTokenAction(p: Principal, t: Scoped, target: Target, action: 'get' | 'create' | 'update' | 'delete' | 'rotate'): void {
  if (t.scope === 'DEPLOYMENT') authorize(p, `deployment.apiTokens.${action}`, target);
}

export async function listTokens(app: AppContext, p: Principal, organizationId: string, q: ListApiTokensFilter) {
  // The tokens holding a role on a Deployment are that Deployment's business (checkDeploymentTokenAction).
  if (q.deploymentId !== undefined) {
    checkDeploymentTokenAction(p, { scope: 'DEPLOYMENT', entityId: q.deploymentId }, await listTarget(app, organizationId, q), 'get');
  }
  const page = await repo.listTokens(app.db, organizationId, {
    workspaceId: q.workspaceId, deploymentId: q.deploymentId, dagId: q.dagId, dagTags: q.dagTags,
    onlyOrganization: q.includeOnlyOrganizationTokens === true, kind: q.kind,
  }, q);
  return envelope('tokens', page, await tokenViews(app.db, page.items));
}

async function loadToken(db: Queryable, organizationId: string, tokenId: string): Promise<repo.TokenRow> {
  return found(await repo.findToken(db, organizationId, tokenId), 'API token');
}

/** A token of the organization for an operation `action` of `p`, refused (403) for a Deployment token `p` may not do that to. */
async function loadTokenFor(db: Queryable, p: Principal, organizationId: string, tokenId: string, action: 'get' | 'update' | 'delete' | 'rotate'): Promise<repo.TokenRow> {
  const t = await loadToken(db, organizationId, tokenId);
  const scoped = { scope: t.scope as TokenScope, entityId: t.entity_id };
  if (scoped.scope === 'DEPLOYMENT') checkDeploymentTokenAction(p, scoped, await scopeTarget(db, organizationId, scoped), action);
  return t;
}

export async function getToken(app: AppContext, p: Principal, organizationId: string, tokenId: string): Promise<ApiTokenView> {
  return tokenView(app.db, await loadTokenFor(app.db, p, organizationId, tokenId, 'get'));
}

/** Creates a token holding `role` on its own entity; the answer is the only one that shows the secret. */
export function createToken(app: AppContext, p: Principal, organizationId: string, body: CreateApiTokenBody): Promise<ApiTokenView> {
  requireText('name', body.name);
  return inTransaction(app.db, async (tx) => {
    const entityId = body.scope === 'ORGANIZATION' ? organizationId : body.entityId!;
    const scoped = { scope: body.scope, entityId };
    if (body.scope !== 'ORGANIZATION') requireText('entityId', body.entityId);
    // The token's own Workspace or Deployment, locked before it is checked (see checkRoles).
    if (body.scope === 'WORKSPACE') await lockWorkspaces(tx, organizationId, [entityId]);
    if (body.scope === 'DEPLOYMENT') await lockDeployments(tx, organizationId, [entityId]);
    if (body.scope === 'WORKSPACE') found(await findWorkspace(tx, organizationId, entityId), 'Workspace');
    if (body.scope === 'DEPLOYMENT') {
      const d = found(await findDeployment(tx, organizationId, entityId), 'Deployment');
      checkDeploymentTokenAction(p, scoped, { workspaceId: d.workspace_id, deploymentId: d.id }, 'create');
    }
    const roles = await checkRoles(tx, organizationId, scoped, [{ entityType: body.scope, entityId, role: body.role }], { principal: p, held: [] });
    const issued = await issueToken(tx, app.clock, {
      organizationId, name: body.name, description: body.description, kind: body.kind, scope: body.scope, entityId,
      expiryDays: body.tokenExpiryPeriodInDays, createdBy: actor(p),
      roles: roles.map((r) => ({ entityType: r.entityType as TokenScope, entityId: r.entityId, role: r.role })),
    });
    return { ...(await tokenView(tx, await loadToken(tx, organizationId, issued.tokenId))), token: issued.token };
  });
}

export function updateToken(app: AppContext, p: Principal, organizationId: string, tokenId: string, body: UpdateApiTokenBody): Promise<ApiTokenView> {
  requireText('name', body.name);
  return inTransaction(app.db, async (tx) => {
    await loadTokenFor(tx, p, organizationId, tokenId, 'update');
    const changes = { name: body.name, ...(body.description !== undefined ? { description: body.description } : {}) };
    await repo.updateToken(tx, tokenId, { ...changes, ...updatedColumns(actor(p), app.clock.now()) });
    // The name shows in audit profiles, which are cached with the tokens.
    await invalidateToken(tx, tokenId);
    return tokenView(tx, await loadToken(tx, organizationId, tokenId));
  });
}

export function deleteToken(app: AppContext, p: Principal, organizationId: string, tokenId: string): Promise<void> {
  return inTransaction(app.db, async (tx) => {
    await loadTokenFor(tx, p, organizationId, tokenId, 'delete');
    await repo.deleteToken(tx, tokenId);
    await invalidateToken(tx, tokenId);
  });
}

/**
 * Replaces the whole role set; the token's old roles stop applying at once. Every role the token
 * did not hold must pass the grant ceiling: a token cannot be raised, by itself or by anyone,
 * above what the caller holds.
 */
export function updateTokenRoles(app: AppContext, p: Principal, organizationId: string, tokenId: string, roles: ApiTokenRoleView[]): Promise<SubjectRolesView> {
  return inTransaction(app.db, async (tx) => {
    const t = await loadTokenFor(tx, p, organizationId, tokenId, 'update');
    const held = (await tokenGrants(tx, [tokenId])).get(tokenId) ?? [];
    const rows = await checkRoles(tx, organizationId, { scope: t.scope as TokenScope, entityId: t.entity_id }, roles, { principal: p, held });
    await replaceTokenGrants(tx, tokenId, rows);
    await repo.updateToken(tx, tokenId, updatedColumns(actor(p), app.clock.now()));
    await invalidateToken(tx, tokenId);
    return subjectRolesView(rows);
  });
}

/**
 * Gives the token a new secret, valid from now for its expiry period; the old secret stops
 * working at once. The answer is the only one that shows the new secret, and so hands its caller
 * every role of the token: each must pass the grant ceiling (an Operator rotates the Workspace
 * tokens it could have made, not an Owner's).
 */
export function rotateToken(app: AppContext, p: Principal, organizationId: string, tokenId: string): Promise<ApiTokenView> {
  return inTransaction(app.db, async (tx) => {
    const t = await loadTokenFor(tx, p, organizationId, tokenId, 'rotate');
    await checkCeilingOfHeld(tx, p, organizationId, (await tokenGrants(tx, [tokenId])).get(tokenId) ?? []);
    const now = app.clock.now();
    const end = endOf(now, t.expiry_period_days);
    const value = await mintTokenValue(tx, { tokenId, organizationId, scope: t.scope as TokenScope, entityId: t.entity_id, issuedAt: now, expiresAt: end });
    await repo.setSecretHash(tx, tokenId, hashToken(value), shortTokenOf(value));
    await repo.updateToken(tx, tokenId, {
      start_at: storedTime(now), end_at: end ? storedTime(end) : null, last_rotated_at: storedTime(now),
      ...updatedColumns(actor(p), now),
    });
    await invalidateToken(tx, tokenId);
    return { ...(await tokenView(tx, await loadToken(tx, organizationId, tokenId))), token: value };
  });
}

/**
 * What the tokens family removes with a Workspace or a Deployment that is being deleted, in the
 * delete's transaction (src/resources/cascades.ts): the API tokens that belong to it (a
 * Deployment's agent tokens too). A Workspace or Deployment token exists for its entity: it holds
 * exactly one role on it, only roles inside it, and is listed and managed through it; left behind
 * it would hold a role on nothing, usable and manageable by nobody. Answers how many went.
 */
export function deleteOn(tx: Queryable, organizationId: string, on: { workspaceId: string } | { deploymentId: string }): Promise<number> {
  return 'workspaceId' in on
    ? repo.deleteTokensOf(tx, organizationId, 'WORKSPACE', on.workspaceId)
    : repo.deleteTokensOf(tx, organizationId, 'DEPLOYMENT', on.deploymentId);
}
