import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { authorize, lacking, visibleScope, type Target } from '../../src/auth/access.js';
import {
  ALL_PERMISSIONS, builtInPermissions, grantablePermissions, PERMISSION_GROUPS, roleGrants, ROLE_TEMPLATES, withGates,
} from '../../src/auth/permissions.js';
import type { Principal } from '../../src/auth/principal.js';
import { ApiError } from '../../src/core/errors.js';
import { DAG_ROLES, ORGANIZATION_ROLES, WORKSPACE_ROLES } from '../../src/core/roles.js';
import { compareRuntimeVersions } from '../../src/platform/catalog.js';

const ORG = 'c' + 'o'.repeat(24);
const W1 = 'c' + 'a'.repeat(24);
const W2 = 'c' + 'b'.repeat(24);
const D1 = 'c' + 'd'.repeat(24);
const D2 = 'c' + 'e'.repeat(24);

function principal(entityType: string, entityId: string, role: string, ...more: { entityType: string; entityId: string; role: string }[]): Principal {
  const roles = [{ entityType, entityId, role }, ...more].map((r) => ({ ...r, permissions: builtInPermissions(r.role)! }));
  return { subjectId: 't', subjectType: 'SERVICEKEY', organizationId: ORG, tokenId: 't', scope: entityType, entityId, roles };
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
    grants: ['organization.get', 'organization.clusters.get', 'organization.workspaces.get'],
    // The audit log is for Organization Owners only (domain.md §8).
    denies: ['organization.auditLogs.get', 'organization.settings.update', 'organization.clusters.create', 'organization.workspaces.create', 'workspace.delete'],
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
    grants: ['organization.get', 'organization.clusters.get', 'organization.workspaces.get', 'organization.deploymentConfigurations.get', 'organization.deployments.get'],
    // Workspaces and Deployments come with roles on them (domain.md: "view Org details and members, lineage, clusters").
    denies: ['organization.settings.update', 'organization.auditLogs.get', 'organization.clusters.create', 'workspace.get', 'deployment.get', 'workspace.delete', 'deployment.update'],
  },
  WORKSPACE_OWNER: {
    // Owners add Deployment API tokens (domain.md §4.1).
    grants: ['workspace.get', 'workspace.settings.update', 'workspace.delete', 'workspace.deployments.create', 'deployment.update', 'deployment.delete', 'deployment.apiTokens.create', 'deployment.apiTokens.rotate'],
    denies: ['organization.workspaces.create', 'organization.clusters.create', 'organization.settings.update'],
  },
  WORKSPACE_OPERATOR: {
    grants: ['workspace.get', 'workspace.deployments.create', 'deployment.update', 'deployment.delete', 'deployment.deploys.create'],
    // Operators manage Workspace API tokens (the gate); Deployment API tokens are the Owner's.
    denies: ['workspace.settings.update', 'workspace.delete', 'deployment.apiTokens.create', 'deployment.apiTokens.get', 'deployment.apiTokens.rotate'],
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
    grants: ['deployment.get', 'deployment.update', 'deployment.delete', 'deployment.deploys.create', 'deployment.agentTokens.create', 'deployment.airflow.variable.update'],
    // Workspace Operator limited to one Deployment: no Deployment API tokens, so no token gate either.
    denies: ['workspace.get', 'workspace.deployments.create', 'workspace.settings.update', 'organization.clusters.get', 'organization.userRoles.access', 'organization.deploymentConfigurations.get',
      'organization.apiTokens.access', 'deployment.apiTokens.create'],
  },
  DAG_VIEWER: {
    grants: ['dag.airflow.dag.get', 'dag.airflow.taskLog.get'],
    denies: ['dag.airflow.dag.update', 'deployment.get', 'workspace.get'],
  },
  DAG_AUTHOR: {
    grants: ['dag.airflow.dag.get', 'dag.airflow.dag.update', 'dag.airflow.dagRun.create'],
    denies: ['deployment.get', 'deployment.deploys.create'],
  },
};

// Gates and groups the domain names (domain.md §4.2): who holds each gate.
const GATES: Record<string, string[]> = {
  'organization.apiTokens.access': ['ORGANIZATION_OWNER', 'WORKSPACE_OWNER', 'WORKSPACE_OPERATOR'],
  'organization.envObjects.access': ['ORGANIZATION_OWNER', 'WORKSPACE_OWNER', 'WORKSPACE_OPERATOR', 'DEPLOYMENT_ADMIN'],
  'organization.userRoles.access': ['ORGANIZATION_OWNER', 'WORKSPACE_OWNER'],
  'organization.teamRoles.access': ['ORGANIZATION_OWNER', 'WORKSPACE_OWNER'],
};

describe('role table', () => {
  it('covers every built-in role', () => {
    for (const role of [...ORGANIZATION_ROLES, ...WORKSPACE_ROLES, 'DEPLOYMENT_ADMIN', ...DAG_ROLES]) assert.ok(TABLE[role], `${role} has no row`);
  });

  it('gives the organization owner every permission, and every gate to the roles domain.md names', () => {
    for (const p of ALL_PERMISSIONS) assert.ok(roleGrants('ORGANIZATION_OWNER', p), p);
    for (const [gate, holders] of Object.entries(GATES)) {
      for (const role of [...ORGANIZATION_ROLES, ...WORKSPACE_ROLES, 'DEPLOYMENT_ADMIN', ...DAG_ROLES]) {
        assert.equal(roleGrants(role, gate), holders.includes(role), `${role} and ${gate}`);
      }
    }
  });

  it('orders the organization roles: each grants at least what the one below it grants', () => {
    for (let i = 0; i + 1 < ORGANIZATION_ROLES.length; i++) {
      for (const a of ALL_PERMISSIONS) {
        if (roleGrants(ORGANIZATION_ROLES[i + 1]!, a)) assert.ok(roleGrants(ORGANIZATION_ROLES[i]!, a), `${ORGANIZATION_ROLES[i]} lacks ${a}`);
      }
    }
  });

  it('makes DEPLOYMENT_ADMIN the Workspace Operator\'s Deployment permissions', () => {
    for (const a of ALL_PERMISSIONS.filter((p) => p.startsWith('deployment.'))) {
      assert.equal(roleGrants('DEPLOYMENT_ADMIN', a), roleGrants('WORKSPACE_OPERATOR', a), a);
    }
  });

  it('lets custom roles hold only Deployment and DAG permissions, and templates only those', () => {
    assert.ok(grantablePermissions('DEPLOYMENT').has('deployment.get'));
    assert.ok(grantablePermissions('DEPLOYMENT').has('deployment.airflow.connection.create'));
    assert.ok(!grantablePermissions('DEPLOYMENT').has('organization.get'));
    assert.ok(!grantablePermissions('DEPLOYMENT').has('dag.airflow.dag.get'));
    assert.ok(grantablePermissions('DAG').has('dag.airflow.dag.get'));
    assert.equal(grantablePermissions('WORKSPACE').size, 0);
    for (const t of ROLE_TEMPLATES) for (const p of t.permissions) assert.ok(grantablePermissions(t.scopeType).has(p), `${t.name}: ${p}`);
    assert.ok(PERMISSION_GROUPS.every((g) => g.grantable === (g.scopeType === 'DEPLOYMENT' || g.scopeType === 'DAG')));
  });

  it('derives the gates from finer Deployment permissions', () => {
    assert.ok(withGates(['deployment.apiTokens.get']).has('organization.apiTokens.access'));
    assert.ok(withGates(['deployment.envObjects.update']).has('organization.envObjects.access'));
    assert.ok(!withGates(['deployment.get']).has('organization.apiTokens.access'));
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

  it('lets a scoped role call an anyScope operation, and narrows what it sees', () => {
    const p = principal('WORKSPACE', W1, 'WORKSPACE_MEMBER', { entityType: 'DEPLOYMENT', entityId: D2, role: 'DEPLOYMENT_ADMIN' });
    assert.equal(allowed(p, 'organization.deployments.get', { organizationId: ORG }), false);
    assert.equal(allowed(p, 'organization.deployments.get', { organizationId: ORG, anyScope: true }), true);
    assert.equal(allowed(p, 'organization.clusters.get', { organizationId: ORG, anyScope: true }), false);
    assert.equal(allowed(p, 'organization.deployments.get', { organizationId: 'c' + 'z'.repeat(24), anyScope: true }), false);
    assert.deepEqual(visibleScope(p, 'deployment.get'), { all: false, workspaceIds: [W1], deploymentIds: [D2] });
    assert.deepEqual(visibleScope(principal('ORGANIZATION', ORG, 'ORGANIZATION_OWNER'), 'deployment.get'), { all: true });
    // An Organization Member lists Deployments, but sees only those of its other roles: here none.
    assert.equal(allowed(principal('ORGANIZATION', ORG, 'ORGANIZATION_MEMBER'), 'organization.deployments.get', { organizationId: ORG }), true);
    assert.deepEqual(visibleScope(principal('ORGANIZATION', ORG, 'ORGANIZATION_MEMBER'), 'deployment.get'), { all: false, workspaceIds: [], deploymentIds: [] });
  });

  it('applies a role with its own permission set (a custom role) on its entity only', () => {
    const p: Principal = {
      ...principal('DEPLOYMENT', D1, 'DEPLOYMENT_ADMIN'),
      roles: [{ entityType: 'DEPLOYMENT', entityId: D1, role: 'VIEWER', permissions: new Set(['deployment.get']) }],
    };
    assert.equal(allowed(p, 'deployment.get', { organizationId: ORG, workspaceId: W1, deploymentId: D1 }), true);
    assert.equal(allowed(p, 'deployment.update', { organizationId: ORG, workspaceId: W1, deploymentId: D1 }), false);
    assert.equal(allowed(p, 'deployment.get', { organizationId: ORG, workspaceId: W1, deploymentId: D2 }), false);
  });

  it('says which permission of a role a caller could not exercise where the role would be held (the grant ceiling)', () => {
    const owner = principal('WORKSPACE', W1, 'WORKSPACE_OWNER');
    const operator = principal('WORKSPACE', W1, 'WORKSPACE_OPERATOR');
    const inW1 = { workspaceId: W1, deploymentId: D1 };
    assert.equal(lacking(owner, builtInPermissions('WORKSPACE_OWNER')!, { workspaceId: W1 }), undefined);
    assert.equal(lacking(owner, builtInPermissions('DEPLOYMENT_ADMIN')!, inW1), undefined);
    assert.equal(lacking(owner, builtInPermissions('WORKSPACE_MEMBER')!, { workspaceId: W2 }), 'workspace.get');
    assert.equal(lacking(operator, builtInPermissions('WORKSPACE_OPERATOR')!, { workspaceId: W1 }), undefined);
    assert.equal(lacking(operator, builtInPermissions('WORKSPACE_OWNER')!, { workspaceId: W1 }), 'workspace.settings.update');
    // Organization roles are held on the Organization: a Workspace role is no ceiling for them.
    assert.equal(lacking(owner, builtInPermissions('ORGANIZATION_MEMBER')!, {}), 'organization.get');
    assert.equal(lacking(principal('ORGANIZATION', ORG, 'ORGANIZATION_OWNER'), builtInPermissions('ORGANIZATION_OWNER')!, {}), undefined);
    // A DAG role reaches its own DAG only when a DAG is the target.
    const dagAuthor = principal('DAG', 'etl', 'DAG_AUTHOR');
    dagAuthor.roles[0] = { ...dagAuthor.roles[0]!, deploymentId: D1 };
    assert.equal(lacking(dagAuthor, builtInPermissions('DAG_AUTHOR')!, { ...inW1, dag: { entityType: 'DAG', entityId: 'etl' } }), undefined);
    assert.equal(lacking(dagAuthor, builtInPermissions('DAG_AUTHOR')!, { ...inW1, dag: { entityType: 'DAG', entityId: 'other' } }), 'dag.airflow.dag.get');
    assert.equal(lacking(dagAuthor, builtInPermissions('DAG_AUTHOR')!, { ...inW1, dag: { entityType: 'DAG_TAG', entityId: 'etl' } }), 'dag.airflow.dag.get');
    assert.equal(lacking(owner, builtInPermissions('DAG_AUTHOR')!, { ...inW1, dag: { entityType: 'DAG_TAG', entityId: 'nightly' } }), undefined);
  });

  it('orders runtime versions: X.Y-Z above every semver one, numbers compared one by one', () => {
    assert.ok(compareRuntimeVersions('3.1-12', '3.1-12') === 0);
    assert.ok(compareRuntimeVersions('3.1-13', '3.1-12') > 0);
    assert.ok(compareRuntimeVersions('3.0-7', '3.1-12') < 0);
    assert.ok(compareRuntimeVersions('3.1-2', '3.1-12') < 0);
    assert.ok(compareRuntimeVersions('3.2-2', '3.1-12') > 0);
    assert.ok(compareRuntimeVersions('13.7.0', '3.1-12') < 0);
    assert.ok(compareRuntimeVersions('12.8.0', '13.5.0') < 0);
  });

  it('needs only the organization for an operation without a permission', () => {
    const p = principal('WORKSPACE', W1, 'WORKSPACE_ACCESSOR');
    assert.equal(allowed(p, null, { organizationId: ORG }), true);
    assert.equal(allowed(p, null, {}), true);
  });
});
