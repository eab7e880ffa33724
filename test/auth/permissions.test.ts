import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { authorize, type Target } from '../../src/auth/access.js';
import { ORGANIZATION_ROLES, roleGrants, WORKSPACE_ROLES } from '../../src/auth/permissions.js';
import type { Principal } from '../../src/auth/principal.js';
import { ApiError } from '../../src/http/errors.js';

const ORG = 'c' + 'o'.repeat(24);
const W1 = 'c' + 'a'.repeat(24);
const W2 = 'c' + 'b'.repeat(24);
const D1 = 'c' + 'd'.repeat(24);
const D2 = 'c' + 'e'.repeat(24);

function principal(entityType: string, entityId: string, role: string): Principal {
  return { subjectId: 't', subjectType: 'SERVICEKEY', organizationId: ORG, tokenId: 't', scope: entityType, entityId, roles: [{ entityType, entityId, role }] };
}

function allowed(p: Principal, action: string | null, target: Target): boolean {
  try {
    authorize(p, action, target);
    return true;
  } catch (err) {
    assert.ok(err instanceof ApiError && err.statusCode === 403, `expected a 403, got ${String(err)}`);
    return false;
  }
}

/**
 * The role table, one row per built-in role: actions it must grant and actions it must not
 * (domain.md §4.1: Owner > Billing Admin > Observe Admin > Observe Member > Member for the
 * organization; Owner > Operator > Author > Member > Accessor for a workspace).
 */
const TABLE: Record<string, { grants: string[]; denies: string[] }> = {
  ORGANIZATION_OWNER: {
    grants: ['organization.settings.update', 'organization.clusters.create', 'organization.workspaces.create', 'workspace.delete', 'deployment.update', 'organization.apiTokens.access'],
    denies: [],
  },
  ORGANIZATION_BILLING_ADMIN: {
    grants: ['organization.get', 'organization.auditLogs.get', 'organization.clusters.get', 'organization.workspaces.get'],
    denies: ['organization.settings.update', 'organization.clusters.create', 'organization.workspaces.create', 'workspace.delete'],
  },
  ORGANIZATION_OBSERVE_ADMIN: {
    grants: ['organization.get', 'organization.clusters.get', 'organization.workspaces.get'],
    denies: ['organization.settings.update', 'organization.clusters.update', 'workspace.settings.update'],
  },
  ORGANIZATION_OBSERVE_MEMBER: {
    grants: ['organization.get', 'organization.workspaces.get'],
    denies: ['organization.clusters.delete', 'organization.workspaces.create'],
  },
  ORGANIZATION_MEMBER: {
    grants: ['organization.get', 'organization.clusters.get', 'organization.workspaces.get', 'organization.deploymentConfigurations.get', 'organization.deployments.get', 'deployment.get'],
    denies: ['organization.settings.update', 'organization.auditLogs.get', 'organization.clusters.create', 'workspace.delete', 'deployment.update'],
  },
  WORKSPACE_OWNER: {
    grants: ['workspace.get', 'workspace.settings.update', 'workspace.delete', 'workspace.deployments.create', 'deployment.update', 'deployment.delete'],
    denies: ['organization.workspaces.create', 'organization.clusters.create', 'organization.settings.update'],
  },
  WORKSPACE_OPERATOR: {
    grants: ['workspace.get', 'workspace.deployments.create', 'deployment.update', 'deployment.delete', 'deployment.deploys.create'],
    denies: ['workspace.settings.update', 'workspace.delete'],
  },
  WORKSPACE_AUTHOR: {
    grants: ['workspace.get', 'deployment.get', 'deployment.deploys.create', 'deployment.deploys.update'],
    denies: ['deployment.update', 'workspace.deployments.create', 'workspace.settings.update'],
  },
  WORKSPACE_MEMBER: {
    grants: ['workspace.get', 'deployment.get', 'deployment.logs.get', 'deployment.deploys.get'],
    denies: ['deployment.deploys.create', 'deployment.update', 'workspace.settings.update'],
  },
  WORKSPACE_ACCESSOR: {
    grants: ['workspace.get'],
    denies: ['deployment.get', 'deployment.update', 'workspace.settings.update'],
  },
  DEPLOYMENT_ADMIN: {
    grants: ['deployment.get', 'deployment.update', 'deployment.delete', 'deployment.deploys.create', 'deployment.agentTokens.create'],
    denies: ['workspace.get', 'workspace.deployments.create', 'workspace.settings.update', 'organization.clusters.get'],
  },
};

describe('role table', () => {
  it('covers every built-in organization and workspace role', () => {
    for (const role of [...ORGANIZATION_ROLES, ...WORKSPACE_ROLES, 'DEPLOYMENT_ADMIN']) assert.ok(TABLE[role], `${role} has no row`);
  });

  for (const [role, { grants, denies }] of Object.entries(TABLE)) {
    it(`${role} grants and denies what its place in the hierarchy says`, () => {
      for (const a of grants) assert.equal(roleGrants(role, a), true, `${role} should grant ${a}`);
      for (const a of denies) assert.equal(roleGrants(role, a), false, `${role} should not grant ${a}`);
    });
  }

  it('grants nothing to an unknown role', () => {
    assert.equal(roleGrants('SOMETHING_ELSE', 'organization.get'), false);
  });

  it('orders the workspace roles: each grants at least what the one below it grants', () => {
    const actions = [...new Set(Object.values(TABLE).flatMap((r) => [...r.grants, ...r.denies]))];
    for (let i = 0; i + 1 < WORKSPACE_ROLES.length; i++) {
      for (const a of actions) {
        if (roleGrants(WORKSPACE_ROLES[i + 1]!, a)) assert.ok(roleGrants(WORKSPACE_ROLES[i]!, a), `${WORKSPACE_ROLES[i]} lacks ${a} that ${WORKSPACE_ROLES[i + 1]} has`);
      }
    }
  });
});

describe('authorize', () => {
  it('lets an organization role act anywhere in its organization and nowhere else', () => {
    const p = principal('ORGANIZATION', ORG, 'ORGANIZATION_OWNER');
    assert.equal(allowed(p, 'workspace.delete', { organizationId: ORG, workspaceId: W1 }), true);
    assert.equal(allowed(p, 'deployment.update', { organizationId: ORG, workspaceId: W2, deploymentId: D2 }), true);
    assert.equal(allowed(p, 'organization.get', { organizationId: 'c' + 'z'.repeat(24) }), false);
    assert.equal(allowed(p, null, { organizationId: 'c' + 'z'.repeat(24) }), false);
  });

  it('lets a workspace role act in its workspace and on the deployments in it only', () => {
    const p = principal('WORKSPACE', W1, 'WORKSPACE_OPERATOR');
    assert.equal(allowed(p, 'workspace.deployments.create', { organizationId: ORG, workspaceId: W1 }), true);
    assert.equal(allowed(p, 'deployment.update', { organizationId: ORG, workspaceId: W1, deploymentId: D1 }), true);
    assert.equal(allowed(p, 'workspace.deployments.create', { organizationId: ORG, workspaceId: W2 }), false);
    assert.equal(allowed(p, 'deployment.update', { organizationId: ORG, workspaceId: W2, deploymentId: D2 }), false);
    // A target that could not be resolved (missing or foreign) has no workspace: refused.
    assert.equal(allowed(p, 'deployment.update', { organizationId: ORG }), false);
    assert.equal(allowed(p, 'organization.workspaces.get', { organizationId: ORG }), false);
  });

  it('lets a deployment role act on its deployment only', () => {
    const p = principal('DEPLOYMENT', D1, 'DEPLOYMENT_ADMIN');
    assert.equal(allowed(p, 'deployment.update', { organizationId: ORG, workspaceId: W1, deploymentId: D1 }), true);
    assert.equal(allowed(p, 'deployment.update', { organizationId: ORG, workspaceId: W1, deploymentId: D2 }), false);
    assert.equal(allowed(p, 'workspace.get', { organizationId: ORG, workspaceId: W1 }), false);
  });

  it('needs only the organization for an operation without a permission', () => {
    const p = principal('WORKSPACE', W1, 'WORKSPACE_ACCESSOR');
    assert.equal(allowed(p, null, { organizationId: ORG }), true);
    assert.equal(allowed(p, null, {}), true);
  });
});
