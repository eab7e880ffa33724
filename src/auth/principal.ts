import type { AppContext } from '../context.js';
import { forbidden, unauthorized } from '../http/errors.js';
import { storedTime } from '../time.js';
import { roleGrants } from './permissions.js';
import { hashToken } from './tokens.js';

export interface PrincipalRole {
  entityType: string;
  entityId: string;
  role: string;
  deploymentId?: string;
}

/** Who is calling: today always an API token of one organization. */
export interface Principal {
  subjectId: string;
  subjectType: 'SERVICEKEY' | 'USER';
  organizationId: string;
  tokenId: string;
  scope: string;
  entityId: string;
  roles: PrincipalRole[];
}

/** How often `lastUsedAt` is refreshed at most, so reads do not all turn into writes. */
const LAST_USED_RESOLUTION_MS = 60_000;

export async function authenticate(app: AppContext, header: string | undefined): Promise<Principal> {
  if (!header) throw unauthorized();
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match) throw unauthorized('Unauthorized: the Authorization header must be "Bearer <token>"');
  // One query: the token and its roles (a token always has at least one role).
  const rows = await app.db
    .selectFrom('api_tokens')
    .leftJoin('api_token_roles', 'api_token_roles.token_id', 'api_tokens.id')
    .select([
      'api_tokens.id', 'api_tokens.organization_id', 'api_tokens.scope', 'api_tokens.entity_id', 'api_tokens.end_at',
      'api_tokens.last_used_at', 'api_token_roles.entity_type', 'api_token_roles.entity_id as role_entity_id',
      'api_token_roles.role', 'api_token_roles.deployment_id',
    ])
    .where('api_tokens.token_hash', '=', hashToken(match[1]!))
    .orderBy('api_token_roles.position')
    .execute();
  const token = rows[0];
  if (!token) throw unauthorized('Unauthorized: the token is not valid');
  const now = app.clock.now();
  if (token.end_at && token.end_at <= storedTime(now)) throw unauthorized('Unauthorized: the token has expired');
  const roles = rows.filter((r) => r.role !== null);
  if (!token.last_used_at || Date.parse(token.last_used_at) < now.getTime() - LAST_USED_RESOLUTION_MS) {
    await app.db.updateTable('api_tokens').set({ last_used_at: storedTime(now) }).where('id', '=', token.id).execute();
  }
  return {
    subjectId: token.id,
    subjectType: 'SERVICEKEY',
    organizationId: token.organization_id,
    tokenId: token.id,
    scope: token.scope,
    entityId: token.entity_id,
    roles: roles.map((r) => ({
      entityType: r.entity_type!,
      entityId: r.role_entity_id!,
      role: r.role!,
      ...(r.deployment_id ? { deploymentId: r.deployment_id } : {}),
    })),
  };
}

export interface Target {
  organizationId?: string;
  workspaceId?: string;
  deploymentId?: string;
}

/**
 * Allows `action` when a role of the principal grants it: an organization role anywhere in its
 * organization, a workspace or deployment role on its own entity. Without an action only the
 * organization is checked. Another organization's path
 * gets the same 403 whether or not that organization exists.
 */
export function authorize(p: Principal, action: string | undefined, target: Target): void {
  if (target.organizationId !== undefined && target.organizationId !== p.organizationId) {
    throw forbidden('You do not have access to this Organization');
  }
  if (action === undefined) return;
  for (const r of p.roles) {
    if (!roleGrants(r.role, action)) continue;
    if (r.entityType === 'ORGANIZATION' && r.entityId === p.organizationId) return;
    if (r.entityType === 'WORKSPACE' && target.workspaceId === r.entityId) return;
    if (r.entityType === 'DEPLOYMENT' && target.deploymentId === r.entityId) return;
  }
  throw forbidden(`You do not have the permission ${action} for this resource`);
}

/** The audit reference stored in created_by/updated_by columns. */
export function actor(p: Principal): { id: string; type: string } {
  return { id: p.subjectId, type: p.subjectType };
}
