import type { Target } from '../../auth/access.js';
import { actor } from '../../auth/access.js';
import { invalidateToken } from '../../store/cache.js';
import type { Principal } from '../../auth/principal.js';
import type { AppContext } from '../../context.js';
import { found } from '../../core/errors.js';
import { requireText } from '../../core/rules.js';
import { inTransaction } from '../../store/transactions.js';
import type { Queryable } from '../../store/types.js';
import { envelope, type PageRequest } from '../../store/pagination.js';
import { findDeployment, lockDeployment } from '../deployments/repo.js';
import * as repo from './repo.js';
import type { ApiTokenView, CreateAgentTokenBody } from './schema.js';
import { builtInPermissions } from '../../auth/permissions.js';
import { checkCeiling } from '../roles/service.js';
import { issueToken } from './service.js';
import { tokenView, tokenViews } from './view.js';

/*
 * Agent tokens: API tokens that belong to one Deployment (api_tokens.agent_deployment_id), for
 * the agents of remote execution and for CI on that Deployment. They are stored, hashed, expire
 * and are shown exactly as API tokens are, hold DEPLOYMENT_ADMIN on their Deployment (so they
 * may deploy to it and nothing else), are managed only through the Deployment's agent-tokens
 * operations (the API token operations neither list nor find them) and go with the Deployment.
 */

export const AGENT_ROLE = 'DEPLOYMENT_ADMIN';

/** The Deployment of the path and its Workspace; nothing when the id names none of the Organization's. */
export async function agentTarget(app: AppContext, organizationId: string, deploymentId: string): Promise<Target> {
  const d = await findDeployment(app.db, organizationId, deploymentId);
  return d ? { workspaceId: d.workspace_id, deploymentId: d.id } : {};
}

async function loadAgentToken(db: Queryable, organizationId: string, deploymentId: string, tokenId: string) {
  return found(await repo.findAgentToken(db, organizationId, deploymentId, tokenId), 'Agent token');
}

export async function listAgentTokens(app: AppContext, organizationId: string, deploymentId: string, page: PageRequest) {
  found(await findDeployment(app.db, organizationId, deploymentId), 'Deployment');
  const rows = await repo.listAgentTokens(app.db, organizationId, deploymentId, page);
  return envelope('tokens', rows, await tokenViews(app.db, rows.items));
}

export async function getAgentToken(app: AppContext, organizationId: string, deploymentId: string, tokenId: string): Promise<ApiTokenView> {
  return tokenView(app.db, await loadAgentToken(app.db, organizationId, deploymentId, tokenId));
}

/** Creates an agent token; the answer is the only one that shows its secret. */
export function createAgentToken(app: AppContext, p: Principal, organizationId: string, deploymentId: string, body: CreateAgentTokenBody): Promise<ApiTokenView> {
  requireText('name', body.name);
  return inTransaction(app.db, async (tx) => {
    // Under the Deployment's row lock: a concurrent delete of the Deployment comes before or after, never between.
    await lockDeployment(tx, organizationId, deploymentId);
    const d = found(await findDeployment(tx, organizationId, deploymentId), 'Deployment');
    // The token holds DEPLOYMENT_ADMIN there: its maker must hold that role in full (the grant ceiling).
    checkCeiling(p, AGENT_ROLE, builtInPermissions(AGENT_ROLE)!, { entityType: 'DEPLOYMENT', entityId: d.id, workspaceId: d.workspace_id });
    const issued = await issueToken(tx, app.clock, {
      organizationId, name: body.name, description: body.description, scope: 'DEPLOYMENT', entityId: deploymentId,
      roles: [{ entityType: 'DEPLOYMENT', entityId: deploymentId, role: AGENT_ROLE }],
      expiryDays: body.tokenExpiryPeriodInDays, createdBy: actor(p), agentDeploymentId: deploymentId,
    });
    return { ...(await tokenView(tx, await loadAgentToken(tx, organizationId, deploymentId, issued.tokenId))), token: issued.token };
  });
}

export function deleteAgentToken(app: AppContext, organizationId: string, deploymentId: string, tokenId: string): Promise<void> {
  return inTransaction(app.db, async (tx) => {
    await loadAgentToken(tx, organizationId, deploymentId, tokenId);
    await repo.deleteToken(tx, tokenId);
    await invalidateToken(tx, tokenId);
  });
}
