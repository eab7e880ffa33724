import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertError, RFC3339 } from '../helpers/client.js';
import type { TestServer } from '../helpers/server.js';
import { joinAsUser, startUserServer } from '../helpers/users.js';

type Json = Record<string, any>;

/**
 * The Terraform provider's astro_user_roles resource and astro_user / astro_users data sources on
 * /iam/v1beta1. The resource always sends all four role fields, [] for an empty list, and builds
 * its state from the SubjectRoles answer; on refresh it reads GET /users/{id}, which must be
 * ACTIVE. Empty role lists must come back absent (Terraform keeps null and [] apart). Its delete
 * sends only organizationRole ORGANIZATION_MEMBER.
 */
describe('provider replay: astro_user_roles', () => {
  let s: TestServer;
  let iam: string;
  let platform: string;
  let ws: string;
  let ws2: string;
  let dep: string;
  let user: { id: string; email: string };

  before(async () => {
    s = await startUserServer();
    iam = `/iam/v1beta1/organizations/${s.orgId}`;
    platform = `/platform/v1beta1/organizations/${s.orgId}`;
    const mkWs = async (name: string) => (await s.api.post(`/v1/organizations/${s.orgId}/workspaces`, { name, defaultCloudProvider: 'AWS', defaultRegion: 'us-west-2' })).body.id as string;
    ws = await mkWs('roles-ws');
    ws2 = await mkWs('roles-ws-2');
    const d = await s.api.post(`/v1/organizations/${s.orgId}/deployments`, { name: 'roles-dep', workspaceId: ws });
    assert.equal(d.status, 200, d.text);
    dep = d.body.id;
    user = await joinAsUser(s, 'ORGANIZATION_MEMBER', 'Dana');
  });
  after(async () => { await s.close(); });

  /** Terraform's read: GET /users/{id}, ACTIVE, its roles as SubjectRoles. */
  async function readRoles(): Promise<Json> {
    const res = await s.api.get(`${iam}/users/${user.id}`);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.status, 'ACTIVE');
    const { organizationRole, workspaceRoles, deploymentRoles, dagRoles } = res.body;
    return Object.fromEntries(Object.entries({ organizationRole, workspaceRoles, deploymentRoles, dagRoles }).filter(([, v]) => v !== undefined));
  }

  async function mutate(body: Json): Promise<Json> {
    if (body.deploymentRoles?.length > 0) {
      const ids = [...new Set<string>(body.deploymentRoles.map((r: Json) => r.deploymentId))];
      const page = await s.api.get(`${platform}/deployments`, { deploymentIds: ids, limit: 1000, offset: 0 });
      assert.equal(page.status, 200, page.text);
      assert.equal(page.body.deployments.length, ids.length);
    }
    const res = await s.api.post(`${iam}/users/${user.id}/roles`, body);
    assert.equal(res.status, 200, res.text);
    return res.body;
  }

  it('set org, workspace, deployment and DAG roles; read back; change; remove; delete', async () => {
    // ---- Create: every field sent, lists in configuration order.
    const first = {
      deploymentRoles: [{ deploymentId: dep, role: 'DEPLOYMENT_ADMIN' }],
      organizationRole: 'ORGANIZATION_BILLING_ADMIN',
      workspaceRoles: [{ workspaceId: ws, role: 'WORKSPACE_OWNER' }, { workspaceId: ws2, role: 'WORKSPACE_ACCESSOR' }],
      dagRoles: [{ deploymentId: dep, dagTag: 'finance', role: 'DAG_AUTHOR' }, { deploymentId: dep, dagId: 'etl', role: 'DAG_VIEWER' }],
    };
    const set = await mutate(first);
    assert.deepEqual(set, first, 'the answer is exactly the roles sent');
    assert.deepEqual(await readRoles(), first, 'a read right after shows the same roles');

    // ---- Import (user_id): one GET.
    const imported = (await s.api.get(`${iam}/users/${user.id}`)).body;
    assert.equal(imported.id, user.id);
    assert.equal(imported.username, user.email);
    assert.match(imported.createdAt, RFC3339);

    // ---- Change: Workspace roles changed, no DAG roles configured any more ([]).
    const second = {
      deploymentRoles: [{ deploymentId: dep, role: 'DEPLOYMENT_ADMIN' }],
      organizationRole: 'ORGANIZATION_MEMBER',
      workspaceRoles: [{ workspaceId: ws, role: 'WORKSPACE_AUTHOR' }],
      dagRoles: [],
    };
    const changed = await mutate(second);
    assert.deepEqual(changed, { organizationRole: 'ORGANIZATION_MEMBER', workspaceRoles: second.workspaceRoles, deploymentRoles: second.deploymentRoles });
    assert.ok(!('dagRoles' in changed), 'an emptied list is absent, not []');
    assert.deepEqual(await readRoles(), changed);

    // ---- Remove: only an organization role configured; the three lists go as [].
    const removed = await mutate({ deploymentRoles: [], organizationRole: 'ORGANIZATION_MEMBER', workspaceRoles: [], dagRoles: [] });
    assert.deepEqual(removed, { organizationRole: 'ORGANIZATION_MEMBER' });
    assert.deepEqual(await readRoles(), { organizationRole: 'ORGANIZATION_MEMBER' });

    // ---- Delete: organizationRole alone (lists left out keep what is there).
    await mutate({ organizationRole: 'ORGANIZATION_OWNER', workspaceRoles: [{ workspaceId: ws, role: 'WORKSPACE_MEMBER' }], deploymentRoles: [], dagRoles: [] });
    const deleted = await mutate({ organizationRole: 'ORGANIZATION_MEMBER' });
    assert.equal(deleted.organizationRole, 'ORGANIZATION_MEMBER');
    assert.deepEqual((await readRoles()).organizationRole, 'ORGANIZATION_MEMBER');
  });

  it('refuses what the provider would be refused for: a role of another scope, an unknown user', async () => {
    assertError(await s.api.post(`${iam}/users/${user.id}/roles`, { organizationRole: 'WORKSPACE_OWNER', workspaceRoles: [], deploymentRoles: [], dagRoles: [] }), 400);
    assertError(await s.api.post(`${iam}/users/${user.id}/roles`, { organizationRole: 'ORGANIZATION_MEMBER', workspaceRoles: [{ workspaceId: ws, role: 'ORGANIZATION_OWNER' }], deploymentRoles: [], dagRoles: [] }), 400);
    assertError(await s.api.get(`${iam}/users/c${'0'.repeat(24)}`), 404);
    assertError(await s.api.post(`${iam}/users/c${'0'.repeat(24)}/roles`, { organizationRole: 'ORGANIZATION_MEMBER' }), 404);
  });

  it('astro_user and astro_users data sources: GET by id, lists of 1000 with the extra page, filters, sorts=id:asc', async () => {
    await mutate({ organizationRole: 'ORGANIZATION_MEMBER', workspaceRoles: [{ workspaceId: ws2, role: 'WORKSPACE_MEMBER' }], deploymentRoles: [], dagRoles: [] });
    const one = await s.api.get(`${iam}/users/${user.id}`);
    assert.equal(one.status, 200, one.text);
    assert.deepEqual(one.body.workspaceRoles, [{ workspaceId: ws2, role: 'WORKSPACE_MEMBER' }]);
    assert.ok(!('deploymentRoles' in one.body) && !('dagRoles' in one.body));

    const all = await s.api.get(`${iam}/users`, { limit: 1000, offset: 0, sorts: ['id:asc'] });
    assert.equal(all.status, 200, all.text);
    const ids = all.body.users.map((u: Json) => u.id);
    assert.deepEqual(ids, [...ids].sort(), 'sorted by id');
    assert.ok(ids.includes(user.id));
    assert.equal(all.body.totalCount, ids.length);
    const beyond = await s.api.get(`${iam}/users`, { limit: 1000, offset: 1000, sorts: ['id:asc'] });
    assert.equal(beyond.status, 200, beyond.text);
    assert.deepEqual(beyond.body.users, []);
    assert.equal(beyond.body.totalCount, all.body.totalCount);

    const inWs2 = await s.api.get(`${iam}/users`, { workspaceId: ws2, limit: 1000, offset: 0 });
    assert.deepEqual(inWs2.body.users.map((u: Json) => u.id), [user.id]);
    const inNone = await s.api.get(`${iam}/users`, { workspaceId: `c${'0'.repeat(24)}`, limit: 1000, offset: 0 });
    assert.equal(inNone.status, 200, inNone.text);
    assert.deepEqual(inNone.body.users, []);
  });

  it('cross-surface: set on iam v1beta1, read and changed on /v1, read back on iam', async () => {
    const v1 = `/v1/organizations/${s.orgId}`;
    const sent = { organizationRole: 'ORGANIZATION_MEMBER', workspaceRoles: [{ workspaceId: ws, role: 'WORKSPACE_OPERATOR' }], deploymentRoles: [], dagRoles: [] };
    await mutate(sent);
    const onV1 = (await s.api.get(`${v1}/users/${user.id}`)).body;
    assert.deepEqual(onV1.workspaceRoles, sent.workspaceRoles);
    const up = await s.api.post(`${v1}/users/${user.id}/roles`, { organizationRole: 'ORGANIZATION_BILLING_ADMIN', workspaceRoles: [{ workspaceId: ws2, role: 'WORKSPACE_AUTHOR' }], deploymentRoles: [{ deploymentId: dep, role: 'DEPLOYMENT_ADMIN' }] });
    assert.equal(up.status, 200, up.text);
    assert.deepEqual(await readRoles(), {
      organizationRole: 'ORGANIZATION_BILLING_ADMIN',
      workspaceRoles: [{ workspaceId: ws2, role: 'WORKSPACE_AUTHOR' }],
      deploymentRoles: [{ deploymentId: dep, role: 'DEPLOYMENT_ADMIN' }],
    });
    assert.deepEqual((await s.api.get(`${iam}/users/${user.id}`)).body, (await s.api.get(`${v1}/users/${user.id}`)).body);
  });
});
