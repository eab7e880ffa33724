import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertError, type ApiClient, type ApiResponse } from '../helpers/client.js';
import type { TestServer } from '../helpers/server.js';
import { joinAsUser, startUserServer } from '../helpers/users.js';
import { createOrganizationWithOwner } from '../../src/bootstrap.js';
import type { TokenScope } from '../../src/resources/tokens/service.js';

type Json = Record<string, any>;
const MISSING = 'c' + '0'.repeat(24);

/** A 403 in the API's error shape whose message names every one of `names`. */
function refused(res: ApiResponse, ...names: string[]): void {
  assertError(res, 403);
  for (const n of names) assert.ok(res.body.message.includes(n), `the 403 does not name ${n}: ${res.body.message}`);
}

/**
 * Nobody grants more than they hold (the grant ceiling), Workspace Owners setting roles inside
 * their Workspace, the audit log for Organization Owners only, isDagDeployEnabled for Workspace
 * Owners, DAG roles on new enough runtimes and on Deployment tokens, and SCIM: each rule with the
 * caller it is about, on /v1 and on the older surfaces that present the same operations.
 */
describe('grant ceilings and the roles that set roles', () => {
  let s: TestServer;
  let org: string;
  let tokens: string;
  let ws: Json;
  let ws2: Json;
  let dep: Json;
  let dep2: Json;

  /** A client with a new token of `scope` holding exactly `role` on `entityId`. */
  const holding = (scope: TokenScope, entityId: string, role: string): Promise<ApiClient> =>
    s.withRoles(scope, entityId, [{ entityType: scope, entityId, role }]);

  /** A token made by the Organization Owner: its id and a client sending it. */
  const ownerMade = async (body: Json): Promise<{ id: string; api: ApiClient }> => {
    const res = await s.api.post(tokens, body);
    assert.equal(res.status, 200, res.text);
    return { id: res.body.id, api: s.as(res.body.token) };
  };

  const deployment = async (name: string, workspaceId: string, extra: Json = {}) => {
    const res = await s.api.post(`${org}/deployments`, { name, workspaceId, ...extra });
    assert.equal(res.status, 200, res.text);
    return res.body;
  };

  /** The body of an update that leaves the Deployment `d` as it is, but for `changes`. */
  const sameDeployment = async (id: string, changes: Json = {}): Promise<Json> => {
    const d = (await s.api.get(`${org}/deployments/${id}`)).body as Json;
    return {
      type: d.type, name: d.name, workspaceId: d.workspaceId, executor: d.executor, isCicdEnforced: d.isCicdEnforced,
      isDagDeployEnabled: d.isDagDeployEnabled, environmentVariables: [], schedulerSize: d.schedulerSize,
      isHighAvailability: d.isHighAvailability, isDevelopmentMode: d.isDevelopmentMode, resourceQuotaCpu: d.resourceQuotaCpu,
      resourceQuotaMemory: d.resourceQuotaMemory, defaultTaskPodCpu: d.defaultTaskPodCpu, defaultTaskPodMemory: d.defaultTaskPodMemory,
      workerQueues: d.workerQueues.map((q: Json) => ({
        id: q.id, name: q.name, isDefault: q.isDefault, minWorkerCount: q.minWorkerCount, maxWorkerCount: q.maxWorkerCount,
        workerConcurrency: q.workerConcurrency, astroMachine: q.astroMachine,
      })),
      ...changes,
    };
  };

  before(async () => {
    s = await startUserServer();
    org = `/v1/organizations/${s.orgId}`;
    tokens = `${org}/tokens`;
    const w = async (name: string) => (await s.api.post(`${org}/workspaces`, { name, defaultCloudProvider: 'AWS', defaultRegion: 'us-east-1' })).body;
    ws = await w('ceilings ws');
    ws2 = await w('ceilings other ws');
    dep = await deployment('ceilings dep', ws.id);
    dep2 = await deployment('ceilings other dep', ws2.id);
  });
  after(async () => { await s.close(); });

  it('a Workspace Operator mints only tokens it could be itself: no Owner token, no Deployment token (/v1 and /iam/v1beta1)', async () => {
    const operator = await holding('WORKSPACE', ws.id, 'WORKSPACE_OPERATOR');
    for (const [prefix, scopeField] of [['/v1', 'scope'], ['/iam/v1beta1', 'type']] as const) {
      const url = `${prefix}/organizations/${s.orgId}/tokens`;
      refused(await operator.post(url, { name: 'owner', [scopeField]: 'WORKSPACE', entityId: ws.id, role: 'WORKSPACE_OWNER' }), 'WORKSPACE_OWNER', ws.id);
      refused(await operator.post(url, { name: 'dep', [scopeField]: 'DEPLOYMENT', entityId: dep.id, role: 'DEPLOYMENT_ADMIN' }));
      const peer = await operator.post(url, { name: 'peer', [scopeField]: 'WORKSPACE', entityId: ws.id, role: 'WORKSPACE_OPERATOR' });
      assert.equal(peer.status, 200, peer.text);
      assert.equal((await operator.post(url, { name: 'member', [scopeField]: 'WORKSPACE', entityId: ws.id, role: 'WORKSPACE_MEMBER' })).status, 200);
      // What it made can do no more than the Operator: the Workspace's settings stay the Owner's.
      refused(await s.as(peer.body.token).post(`${org}/workspaces/${ws.id}`, { name: ws.name, description: '', cicdEnforcedDefault: false }));
    }
    // Nothing above the Operator was made.
    const listed = (await s.api.get(tokens, { workspaceId: ws.id, limit: 100 })).body.tokens as Json[];
    assert.ok(listed.every((t) => t.roles.every((r: Json) => r.role !== 'WORKSPACE_OWNER')), JSON.stringify(listed.map((t) => t.roles)));
    assert.equal((await s.api.get(tokens, { deploymentId: dep.id })).body.totalCount, 0);
  });

  it('a Workspace Operator cannot raise its own token, nor take an Owner token\'s secret by rotating it', async () => {
    const op = await ownerMade({ name: 'op', scope: 'WORKSPACE', entityId: ws.id, role: 'WORKSPACE_OPERATOR' });
    const own = { entityType: 'WORKSPACE', entityId: ws.id, role: 'WORKSPACE_OPERATOR' };
    for (const prefix of ['/v1', '/iam/v1beta1']) {
      const roles = `${prefix}/organizations/${s.orgId}/tokens/${op.id}/roles`;
      refused(await op.api.post(roles, { roles: [{ ...own, role: 'WORKSPACE_OWNER' }] }), 'WORKSPACE_OWNER');
    }
    assert.deepEqual((await s.api.get(`${tokens}/${op.id}`)).body.roles, [own]);
    refused(await op.api.post(`${org}/workspaces/${ws.id}`, { name: ws.name, description: '', cicdEnforcedDefault: false }));
    // A role it holds in full passes: DEPLOYMENT_ADMIN on a Deployment of its Workspace is less than Operator there.
    const withDep = await op.api.post(`${tokens}/${op.id}/roles`, { roles: [own, { entityType: 'DEPLOYMENT', entityId: dep.id, role: 'DEPLOYMENT_ADMIN' }] });
    assert.equal(withDep.status, 200, withDep.text);

    const ownerTok = await ownerMade({ name: 'owner', scope: 'WORKSPACE', entityId: ws.id, role: 'WORKSPACE_OWNER' });
    refused(await op.api.post(`${tokens}/${ownerTok.id}/rotate`), 'WORKSPACE_OWNER');
    refused(await op.api.post(`/iam/v1beta1/organizations/${s.orgId}/tokens/${ownerTok.id}/rotate`), 'WORKSPACE_OWNER');
    assert.equal((await ownerTok.api.get(`${org}/workspaces/${ws.id}`)).status, 200, 'the Owner token still works: it was not rotated');
    const memberTok = await ownerMade({ name: 'member', scope: 'WORKSPACE', entityId: ws.id, role: 'WORKSPACE_MEMBER' });
    assert.equal((await op.api.post(`${tokens}/${memberTok.id}/rotate`)).status, 200);
    // Taking a role away grants nothing: the Operator may lower the Owner token, as it may delete it.
    const lowered = await op.api.post(`${tokens}/${ownerTok.id}/roles`, { roles: [{ entityType: 'WORKSPACE', entityId: ws.id, role: 'WORKSPACE_MEMBER' }] });
    assert.equal(lowered.status, 200, lowered.text);
  });

  it('Deployment API tokens are the Workspace Owner\'s; agent tokens need DEPLOYMENT_ADMIN in full', async () => {
    const owner = await holding('WORKSPACE', ws.id, 'WORKSPACE_OWNER');
    const made = await owner.post(tokens, { name: 'dep', scope: 'DEPLOYMENT', entityId: dep.id, role: 'DEPLOYMENT_ADMIN' });
    assert.equal(made.status, 200, made.text);
    assert.equal((await owner.post(`${tokens}/${made.body.id}/rotate`)).status, 200);
    assert.equal((await owner.get(tokens, { deploymentId: dep.id })).status, 200);
    refused(await owner.post(tokens, { name: 'dep2', scope: 'DEPLOYMENT', entityId: dep2.id, role: 'DEPLOYMENT_ADMIN' }));

    const admin = await holding('DEPLOYMENT', dep.id, 'DEPLOYMENT_ADMIN');
    const operator = await holding('WORKSPACE', ws.id, 'WORKSPACE_OPERATOR');
    // The Operator passes the token gate (its Workspace tokens) but lacks the Deployment's token
    // permission; the Deployment Admin, an Operator limited to one Deployment, has neither.
    refused(await operator.post(tokens, { name: 'x', scope: 'DEPLOYMENT', entityId: dep.id, role: 'DEPLOYMENT_ADMIN' }), 'deployment.apiTokens.create');
    for (const who of [admin, operator]) {
      refused(await who.post(tokens, { name: 'x', scope: 'DEPLOYMENT', entityId: dep.id, role: 'DEPLOYMENT_ADMIN' }));
      refused(await who.get(tokens, { deploymentId: dep.id }));
      refused(await who.get(`${tokens}/${made.body.id}`));
      refused(await who.post(`${tokens}/${made.body.id}/rotate`));
      refused(await who.delete(`${tokens}/${made.body.id}`));
      // Agent tokens hold DEPLOYMENT_ADMIN, which both hold in full on the Deployment.
      for (const prefix of ['/v1', '/iam/v1beta1']) {
        const agent = await who.post(`${prefix}/organizations/${s.orgId}/deployments/${dep.id}/agent-tokens`, { name: 'agent' });
        assert.equal(agent.status, 200, agent.text);
      }
    }
  });

  it('a custom-role holder grants only roles inside its own permissions', async () => {
    const mkRole = async (name: string, permissions: string[]) => {
      const res = await s.api.post(`${org}/roles`, { name, scopeType: 'DEPLOYMENT', permissions });
      assert.equal(res.status, 200, res.text);
    };
    await mkRole('CEIL_TOKEN_MAKER', ['deployment.get', 'deployment.apiTokens.get', 'deployment.apiTokens.create']);
    await mkRole('CEIL_VIEWER', ['deployment.get']);
    await mkRole('CEIL_DEPLOYER', ['deployment.get', 'deployment.deploys.create']);
    await mkRole('CEIL_AGENTS', ['deployment.get', 'deployment.agentTokens.create']);
    await mkRole('CEIL_PEOPLE', ['deployment.get', 'deployment.users.get', 'deployment.users.delete', 'deployment.teams.delete']);

    const maker = await holding('DEPLOYMENT', dep.id, 'CEIL_TOKEN_MAKER');
    const mint = (role: string, entityId = dep.id) => maker.post(tokens, { name: role, scope: 'DEPLOYMENT', entityId, role });
    assert.equal((await mint('CEIL_VIEWER')).status, 200);
    assert.equal((await mint('CEIL_TOKEN_MAKER')).status, 200);
    refused(await mint('CEIL_DEPLOYER'), 'CEIL_DEPLOYER', dep.id, 'deployment.deploys.create');
    refused(await mint('DEPLOYMENT_ADMIN'), 'DEPLOYMENT_ADMIN');
    refused(await mint('CEIL_VIEWER', dep2.id));

    const agents = await holding('DEPLOYMENT', dep.id, 'CEIL_AGENTS');
    refused(await agents.post(`${org}/deployments/${dep.id}/agent-tokens`, { name: 'agent' }), 'DEPLOYMENT_ADMIN');

    // deployment.users.delete and deployment.teams.delete imply the role-update gates on the Deployment.
    const people = await holding('DEPLOYMENT', dep.id, 'CEIL_PEOPLE');
    const u = await joinAsUser(s);
    const set = (deploymentRoles: Json[], extra: Json = {}) => people.post(`${org}/users/${u.id}/roles`, { organizationRole: 'ORGANIZATION_MEMBER', deploymentRoles, ...extra });
    const ok = await set([{ deploymentId: dep.id, role: 'CEIL_VIEWER' }]);
    assert.equal(ok.status, 200, ok.text);
    assert.deepEqual(ok.body.deploymentRoles, [{ deploymentId: dep.id, role: 'CEIL_VIEWER' }]);
    refused(await set([{ deploymentId: dep.id, role: 'DEPLOYMENT_ADMIN' }]), 'DEPLOYMENT_ADMIN', dep.id);
    refused(await set([{ deploymentId: dep2.id, role: 'CEIL_VIEWER' }]), dep2.id);
    refused(await set([], { workspaceRoles: [{ workspaceId: ws.id, role: 'WORKSPACE_ACCESSOR' }] }), ws.id);
    const team = (await s.api.post(`${org}/teams`, { name: 'ceil custom team' })).body;
    const teamSet = await people.post(`${org}/teams/${team.id}/roles`, { organizationRole: 'ORGANIZATION_MEMBER', deploymentRoles: [{ deploymentId: dep.id, role: 'CEIL_VIEWER' }] });
    assert.equal(teamSet.status, 200, teamSet.text);
    refused(await people.post(`${org}/teams/${team.id}/roles`, { organizationRole: 'ORGANIZATION_MEMBER', deploymentRoles: [{ deploymentId: dep.id, role: 'CEIL_DEPLOYER' }] }), 'CEIL_DEPLOYER');
  });

  it('a Workspace Owner sets users\' and Teams\' roles inside its Workspace, and nowhere else', async () => {
    // A person who is Workspace Owner of ws (and Organization Member), as the CLI signs in.
    const boss = await joinAsUser(s);
    assert.equal((await s.api.post(`${org}/users/${boss.id}/roles`, { organizationRole: 'ORGANIZATION_MEMBER', workspaceRoles: [{ workspaceId: ws.id, role: 'WORKSPACE_OWNER' }] })).status, 200);
    const u = await joinAsUser(s);
    const elsewhere = { workspaceId: ws2.id, role: 'WORKSPACE_MEMBER' };
    assert.equal((await s.api.post(`${org}/users/${u.id}/roles`, { organizationRole: 'ORGANIZATION_MEMBER', workspaceRoles: [elsewhere] })).status, 200);

    // The CLI's way: read the user, upsert the role, send organizationRole and both lists back.
    const read = await boss.api.get(`${org}/users/${u.id}`);
    assert.equal(read.status, 200, read.text);
    const roles = `${org}/users/${u.id}/roles`;
    const body = (extra: Json) => ({ organizationRole: read.body.organizationRole, workspaceRoles: [elsewhere], deploymentRoles: [], ...extra });
    const set = await boss.api.post(roles, body({
      workspaceRoles: [elsewhere, { workspaceId: ws.id, role: 'WORKSPACE_AUTHOR' }],
      deploymentRoles: [{ deploymentId: dep.id, role: 'DEPLOYMENT_ADMIN' }],
      dagRoles: [{ deploymentId: dep.id, dagId: 'etl', role: 'DAG_AUTHOR' }],
    }));
    assert.equal(set.status, 200, set.text);
    assert.deepEqual(set.body.workspaceRoles, [elsewhere, { workspaceId: ws.id, role: 'WORKSPACE_AUTHOR' }]);
    assert.equal((await boss.api.post(roles, body({ workspaceRoles: [elsewhere, { workspaceId: ws.id, role: 'WORKSPACE_OWNER' }] }))).status, 200);

    // Elsewhere: another Workspace's role given, changed or taken away; a Deployment of another
    // Workspace; a Workspace that does not exist (answered as one of another Workspace); the
    // Organization role.
    refused(await boss.api.post(roles, body({ workspaceRoles: [{ ...elsewhere, role: 'WORKSPACE_OWNER' }] })), ws2.id);
    refused(await boss.api.post(roles, body({ workspaceRoles: [{ workspaceId: ws.id, role: 'WORKSPACE_OWNER' }] })), ws2.id);
    refused(await boss.api.post(roles, body({ deploymentRoles: [{ deploymentId: dep2.id, role: 'DEPLOYMENT_ADMIN' }] })), dep2.id);
    refused(await boss.api.post(roles, body({ workspaceRoles: [elsewhere, { workspaceId: MISSING, role: 'WORKSPACE_MEMBER' }] })), MISSING);
    refused(await boss.api.post(roles, body({ organizationRole: 'ORGANIZATION_BILLING_ADMIN' })), 'the Organization');
    refused(await boss.api.post(roles, { organizationRole: 'ORGANIZATION_OWNER' }), 'the Organization');
    const now = (await s.api.get(`${org}/users/${u.id}`)).body;
    assert.equal(now.organizationRole, 'ORGANIZATION_MEMBER');
    assert.deepEqual(now.workspaceRoles, [elsewhere, { workspaceId: ws.id, role: 'WORKSPACE_OWNER' }]);

    // The same operation on /iam/v1beta1.
    const iamRoles = `/iam/v1beta1/organizations/${s.orgId}/users/${u.id}/roles`;
    assert.equal((await boss.api.post(iamRoles, body({ workspaceRoles: [elsewhere, { workspaceId: ws.id, role: 'WORKSPACE_MEMBER' }] }))).status, 200);
    refused(await boss.api.post(iamRoles, body({ workspaceRoles: [] })), ws2.id);

    // Teams, with the Team's Organization role sent back as it is.
    const team = (await s.api.post(`${org}/teams`, { name: 'ceil team' })).body;
    const teamRoles = `${org}/teams/${team.id}/roles`;
    const teamSet = await boss.api.post(teamRoles, { organizationRole: 'ORGANIZATION_MEMBER', workspaceRoles: [{ workspaceId: ws.id, role: 'WORKSPACE_OPERATOR' }] });
    assert.equal(teamSet.status, 200, teamSet.text);
    refused(await boss.api.post(teamRoles, { organizationRole: 'ORGANIZATION_MEMBER', workspaceRoles: [{ workspaceId: ws2.id, role: 'WORKSPACE_MEMBER' }] }), ws2.id);
    refused(await boss.api.post(teamRoles, { organizationRole: 'ORGANIZATION_BILLING_ADMIN' }), 'the Organization');
    // iam v1beta1's UpdateTeamRoles asks organization.teams.update, the Organization Owner's.
    refused(await boss.api.post(`/iam/v1beta1/organizations/${s.orgId}/teams/${team.id}/roles`, { organizationRole: 'ORGANIZATION_MEMBER', workspaceRoles: [] }));
    assert.equal((await s.api.post(`/iam/v1beta1/organizations/${s.orgId}/teams/${team.id}/roles`, { organizationRole: 'ORGANIZATION_MEMBER', workspaceRoles: [] })).status, 200);

    // The same as a token, and callers below the Owner.
    const ownerToken = await holding('WORKSPACE', ws.id, 'WORKSPACE_OWNER');
    assert.equal((await ownerToken.post(roles, body({ workspaceRoles: [elsewhere, { workspaceId: ws.id, role: 'WORKSPACE_AUTHOR' }] }))).status, 200);
    for (const who of [await holding('WORKSPACE', ws.id, 'WORKSPACE_OPERATOR'), await holding('DEPLOYMENT', dep.id, 'DEPLOYMENT_ADMIN')]) {
      refused(await who.post(roles, body({ workspaceRoles: [elsewhere, { workspaceId: ws.id, role: 'WORKSPACE_MEMBER' }] })));
      refused(await who.post(teamRoles, { organizationRole: 'ORGANIZATION_MEMBER', workspaceRoles: [{ workspaceId: ws.id, role: 'WORKSPACE_MEMBER' }] }));
    }
  });

  it('the audit log is for Organization Owners: a Billing Admin is refused (/v1 and /platform/v1beta1)', async () => {
    const billing = await holding('ORGANIZATION', s.orgId, 'ORGANIZATION_BILLING_ADMIN');
    const user = await joinAsUser(s, 'ORGANIZATION_BILLING_ADMIN');
    for (const prefix of ['/v1', '/platform/v1beta1']) {
      const url = `${prefix}/organizations/${s.orgId}/audit-logs`;
      refused(await billing.get(url), 'organization.auditLogs.get');
      refused(await user.api.get(url), 'organization.auditLogs.get');
      assert.equal((await s.api.get(url)).status, 200);
    }
  });

  it('isDagDeployEnabled changes only for Workspace Owners; an update keeping it is anyone\'s who may update (/v1 and /platform/v1beta1)', async () => {
    const d = await deployment('ceil dag deploys', ws.id);
    const operator = await holding('WORKSPACE', ws.id, 'WORKSPACE_OPERATOR');
    const admin = await holding('DEPLOYMENT', d.id, 'DEPLOYMENT_ADMIN');
    const owner = await holding('WORKSPACE', ws.id, 'WORKSPACE_OWNER');
    for (const prefix of ['/v1', '/platform/v1beta1']) {
      const url = `${prefix}/organizations/${s.orgId}/deployments/${d.id}`;
      const was = (await s.api.get(`${org}/deployments/${d.id}`)).body.isDagDeployEnabled as boolean;
      for (const who of [operator, admin]) {
        assert.equal((await who.post(url, await sameDeployment(d.id, { description: `kept by ${prefix}` }))).status, 200);
        refused(await who.post(url, await sameDeployment(d.id, { isDagDeployEnabled: !was })), 'isDagDeployEnabled');
        assert.equal((await s.api.get(`${org}/deployments/${d.id}`)).body.isDagDeployEnabled, was);
      }
      const toggled = await owner.post(url, await sameDeployment(d.id, { isDagDeployEnabled: !was }));
      assert.equal(toggled.status, 200, toggled.text);
      assert.equal(toggled.body.isDagDeployEnabled, !was);
      assert.equal((await s.api.post(url, await sameDeployment(d.id, { isDagDeployEnabled: was }))).status, 200);
    }
  });

  it('DAG and DAG_TAG roles need Runtime 3.1-12 or later on their Deployment: users, Teams and tokens', async () => {
    const old = await deployment('ceil old runtime', ws.id, { astroRuntimeVersion: '3.0-7' });
    const first = await deployment('ceil first runtime', ws.id, { astroRuntimeVersion: '3.1-12' });
    const airflow2 = await deployment('ceil airflow 2', ws.id, { astroRuntimeVersion: '13.7.0' });
    const u = await joinAsUser(s);
    const team = (await s.api.post(`${org}/teams`, { name: 'ceil runtime team' })).body;
    for (const [subject, base] of [['user', `${org}/users/${u.id}/roles`], ['team', `${org}/teams/${team.id}/roles`]]) {
      for (const too of [old, airflow2]) {
        assertError(await s.api.post(base, { organizationRole: 'ORGANIZATION_MEMBER', dagRoles: [{ deploymentId: too.id, dagId: 'etl', role: 'DAG_VIEWER' }] }), 400, 'dagRoles[0].deploymentId', 'runtime');
        assertError(await s.api.post(base, { organizationRole: 'ORGANIZATION_MEMBER', dagRoles: [{ deploymentId: first.id, dagTag: 'ok', role: 'DAG_VIEWER' }, { deploymentId: too.id, dagTag: 'nightly', role: 'DAG_AUTHOR' }] }), 400, 'dagRoles[1].deploymentId', 'runtime');
      }
      const ok = await s.api.post(base, { organizationRole: 'ORGANIZATION_MEMBER', dagRoles: [{ deploymentId: first.id, dagId: 'etl', role: 'DAG_VIEWER' }, { deploymentId: dep.id, dagTag: 'nightly', role: 'DAG_AUTHOR' }] });
      assert.equal(ok.status, 200, `${subject}: ${ok.text}`);
    }
    const orgTok = await ownerMade({ name: 'dags', scope: 'ORGANIZATION', role: 'ORGANIZATION_MEMBER' });
    const orgRole = { entityType: 'ORGANIZATION', entityId: s.orgId, role: 'ORGANIZATION_MEMBER' };
    for (const prefix of ['/v1', '/iam/v1beta1']) {
      const url = `${prefix}/organizations/${s.orgId}/tokens/${orgTok.id}/roles`;
      assertError(await s.api.post(url, { roles: [orgRole, { entityType: 'DAG', entityId: 'etl', role: 'DAG_VIEWER', deploymentId: old.id }] }), 400, 'roles[1].deploymentId', 'runtime');
      assertError(await s.api.post(url, { roles: [orgRole, { entityType: 'DAG_TAG', entityId: 'etl', role: 'DAG_VIEWER', deploymentId: airflow2.id }] }), 400, 'roles[1].deploymentId', 'runtime');
      assert.equal((await s.api.post(url, { roles: [orgRole, { entityType: 'DAG', entityId: 'etl', role: 'DAG_VIEWER', deploymentId: first.id }] })).status, 200);
    }
    const depTok = await ownerMade({ name: 'old dep', scope: 'DEPLOYMENT', entityId: old.id, role: 'DEPLOYMENT_ADMIN' });
    assertError(await s.api.post(`${tokens}/${depTok.id}/roles`, { roles: [{ entityType: 'DEPLOYMENT', entityId: old.id, role: 'DEPLOYMENT_ADMIN' }, { entityType: 'DAG', entityId: 'etl', role: 'DAG_VIEWER', deploymentId: old.id }] }), 400, 'roles[1].deploymentId', 'runtime');
  });

  it('Deployment tokens hold DAG roles of their Deployment, as the Terraform provider sends them (/iam/v1beta1)', async () => {
    const iam = `/iam/v1beta1/organizations/${s.orgId}/tokens`;
    const created = await s.api.post(iam, { name: 'tf dag token', description: '', type: 'DEPLOYMENT', entityId: dep.id, role: 'DEPLOYMENT_ADMIN' });
    assert.equal(created.status, 200, created.text);
    const roles = [
      { entityType: 'DEPLOYMENT', entityId: dep.id, role: 'DEPLOYMENT_ADMIN' },
      { entityType: 'DAG', entityId: 'my_dag_id', role: 'DAG_VIEWER', deploymentId: dep.id },
      { entityType: 'DAG_TAG', entityId: 'production', role: 'DAG_AUTHOR', deploymentId: dep.id },
    ];
    const set = await s.api.post(`${iam}/${created.body.id}/roles`, { roles });
    assert.equal(set.status, 200, set.text);
    assert.deepEqual((await s.api.get(`${iam}/${created.body.id}`)).body.roles, roles);
    // Only DAGs of its own Deployment.
    assertError(await s.api.post(`${iam}/${created.body.id}/roles`, { roles: [roles[0], { ...roles[1], deploymentId: dep2.id }] }), 400, 'roles[1].deploymentId');
  });

  it('SCIM: no Team is created and no member added; Teams made before keep their roles, lose members and go', async () => {
    const o = await createOrganizationWithOwner(s.app, { name: 'scim org' });
    const api = s.as(o.token);
    const base = `/v1/organizations/${o.organizationId}`;
    const invite = async (n: number) => (await api.post(`${base}/invites`, { inviteeEmail: `scim${n}.${Date.now().toString(36)}@example.com`, role: 'ORGANIZATION_MEMBER' })).body.userId as string;
    const [u1, u2] = [await invite(1), await invite(2)];
    const w = (await api.post(`${base}/workspaces`, { name: 'scim ws', defaultCloudProvider: 'AWS', defaultRegion: 'us-east-1' })).body;
    const before = (await api.post(`${base}/teams`, { name: 'before scim', memberIds: [u1, u2] })).body;
    const scim = (on: boolean) => api.post(base, { name: 'scim org', billingEmail: 'billing@example.com', isScimEnabled: on });
    assert.equal((await scim(true)).status, 200);

    for (const prefix of ['/v1', '/iam/v1beta1']) {
      const teams = `${prefix}/organizations/${o.organizationId}/teams`;
      assertError(await api.post(teams, { name: `new ${prefix}` }), 400);
      assert.ok((await api.post(teams, { name: 'x' })).body.message.includes('SCIM'));
      assertError(await api.post(`${teams}/${before.id}/members`, { memberIds: [u1] }), 400);
    }
    const roles = await api.post(`${base}/teams/${before.id}/roles`, { organizationRole: 'ORGANIZATION_MEMBER', workspaceRoles: [{ workspaceId: w.id, role: 'WORKSPACE_MEMBER' }] });
    assert.equal(roles.status, 200, roles.text);
    assert.equal((await api.delete(`${base}/teams/${before.id}/members/${u1}`)).status, 204);
    assert.deepEqual((await api.get(`${base}/teams/${before.id}/members`)).body.teamMembers.map((m: Json) => m.userId), [u2]);
    assert.equal((await api.delete(`${base}/teams/${before.id}`)).status, 204);
    assert.equal((await api.get(`${base}/teams`)).body.totalCount, 0);

    assert.equal((await scim(false)).status, 200);
    assert.equal((await api.post(`${base}/teams`, { name: 'after scim', memberIds: [u1] })).status, 200);
  });
});
