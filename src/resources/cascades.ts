import type { AppContext, Deletes } from '../context.js';
import { actor } from '../auth/access.js';
import { invalidateAll } from '../store/cache.js';
import type { Principal } from '../auth/principal.js';
import { badRequest, found } from '../core/errors.js';
import { inTransaction } from '../store/transactions.js';
import { deleteOn as deleteAlertsOn } from './alerts/service.js';
import * as clusters from './clusters/service.js';
import { deleteCluster } from './clusters/repo.js';
import * as deploymentsRepo from './deployments/repo.js';
import { deleteOn as deleteGrantsOn, deleteHeldBy } from './roles/service.js';
import { deleteMembershipsOf } from './teams/service.js';
import { deleteOn as deleteTokensOn } from './tokens/service.js';
import { findInvite } from './users/repo.js';
import { deleteInviteOn } from './users/service.js';
import * as workspacesRepo from './workspaces/repo.js';
import { deleteOn as deleteWorkspaceDefaultsOn } from './workspaces/service.js';

/*
 * What goes with a delete that reaches into more than one family: the one place to read it. Each
 * delete is one transaction that
 * 1. takes the row lock of what it deletes first (whoever grants a role on a Workspace or a
 *    Deployment, or creates something in it, takes the same lock, so nothing slips in between);
 * 2. checks what must be gone before (the counts that refuse it);
 * 3. asks each family that depends on the entity to remove what it holds of it (`deleteOn`), in
 *    the order listed;
 * 4. removes the entity (what the database itself removes by ON DELETE CASCADE is listed too);
 * 5. invalidates the cache of principals once, when anything it holds went (a deleted token or
 *    grant stops working at once here, and within a second on every other server).
 * The families' routes reach these through `app.ports.deletes` (a family never imports the
 * families above it).
 */

/**
 * A Workspace, once it holds no Deployments (400 otherwise):
 * - roles: every token's, user's and Team's role on it; its place in custom roles'
 *   restrictedWorkspaceIds (400, and nothing deleted, for a role restricted to it alone: an
 *   empty list would mean every Workspace);
 * - tokens: its Workspace API tokens;
 * - by ON DELETE CASCADE: its notification channels, environment objects (with their links and
 *   exclusions) and hybrid cluster authorizations.
 */
async function deleteWorkspace(app: AppContext, organizationId: string, id: string): Promise<void> {
  await inTransaction(app.db, async (tx) => {
    await workspacesRepo.lockWorkspace(tx, organizationId, id);
    found(await workspacesRepo.findWorkspace(tx, organizationId, id), 'Workspace');
    const held = await deploymentsRepo.countInWorkspace(tx, id);
    if (held > 0) {
      throw badRequest(`Invalid request: the Workspace still holds ${held} Deployment${held === 1 ? '' : 's'}; delete ${held === 1 ? 'it' : 'them'} first`);
    }
    const grants = await deleteGrantsOn(tx, organizationId, { workspaceId: id });
    const tokens = await deleteTokensOn(tx, organizationId, { workspaceId: id });
    await workspacesRepo.deleteWorkspace(tx, id);
    if (grants || tokens > 0) await invalidateAll(tx);
  });
}

/**
 * A Deployment (the CLI's help: "removes its DAGs, task logs, Airflow metadata, environment
 * variables, connections, API tokens and alerts"):
 * - tokens: its Deployment API tokens and agent tokens;
 * - roles: every token's, user's and Team's role on it and on its DAGs and DAG tags;
 * - alerts: DAG_TRIGGER channels that trigger one of its DAGs (their alerts show as changed by
 *   the caller);
 * - by ON DELETE CASCADE: worker queues, environment variables, deploys and their uploads, log
 *   lines, its alerts and notification channels, its environment objects and the links and
 *   exclusions of Workspace objects to it.
 */
async function deleteDeployment(app: AppContext, p: Principal, organizationId: string, id: string): Promise<void> {
  await inTransaction(app.db, async (tx) => {
    await deploymentsRepo.lockDeployment(tx, organizationId, id);
    const row = found(await deploymentsRepo.findDeployment(tx, organizationId, id), 'Deployment');
    const tokens = await deleteTokensOn(tx, organizationId, { deploymentId: id });
    const grants = await deleteGrantsOn(tx, organizationId, { deploymentId: id });
    await deleteAlertsOn(tx, { organizationId, deploymentId: id }, actor(p), app.clock.now());
    await deploymentsRepo.deleteDeployment(tx, row);
    if (grants || tokens > 0) await invalidateAll(tx);
  });
}

/**
 * A cluster, once it is neither being created nor updated (409) and hosts no Deployments (400):
 * - workspaces: no Workspace keeps it as its default cluster;
 * - by ON DELETE CASCADE: its node pools and Workspace authorizations.
 * Nothing cached names a cluster.
 */
async function deleteClusterCascade(app: AppContext, organizationId: string, id: string): Promise<void> {
  await inTransaction(app.db, async (tx) => {
    await clusters.lockForDelete(tx, organizationId, id, app.clock.now());
    const hosted = await deploymentsRepo.countOnCluster(tx, id);
    if (hosted > 0) {
      throw badRequest(`Invalid request: the cluster still hosts ${hosted} Deployment${hosted === 1 ? '' : 's'}; delete ${hosted === 1 ? 'it' : 'them'} first`);
    }
    await deleteWorkspaceDefaultsOn(tx, { clusterId: id });
    await deleteCluster(tx, id);
  });
}

/**
 * An open invite, and with it the person's place in the Organization:
 * - roles: every role the invited user holds;
 * - teams: its Team memberships;
 * - users: the PENDING user itself, or, for a person who had signed in before being invited,
 *   only its membership (it stays a user of no Organization).
 */
async function deleteInvite(app: AppContext, organizationId: string, inviteId: string): Promise<void> {
  await inTransaction(app.db, async (tx) => {
    const invite = found(await findInvite(tx, organizationId, inviteId), 'Invite');
    await deleteHeldBy(tx, invite.user_id);
    await deleteMembershipsOf(tx, invite.user_id);
    await deleteInviteOn(tx, app.clock.now(), invite);
    await invalidateAll(tx);
  });
}

export const deletes: Deletes = {
  workspace: deleteWorkspace,
  deployment: deleteDeployment,
  cluster: deleteClusterCascade,
  invite: deleteInvite,
};
