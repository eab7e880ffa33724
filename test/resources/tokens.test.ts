import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { decodeJwt } from 'jose';
import { assertError, CUID, RFC3339, type ApiClient } from '../helpers/client.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { createOrganizationWithOwner } from '../../src/bootstrap.js';

type Json = Record<string, any>;

describe('API tokens', () => {
  let s: TestServer;
  let base: string;
  let ws: Json;
  let ws2: Json;
  let dep: Json;
  let dep2: Json;

  const create = async (body: Json, api: ApiClient = s.api) => {
    const res = await api.post(base, body);
    assert.equal(res.status, 200, res.text);
    return res.body;
  };

  before(async () => {
    s = await startServer();
    base = `/v1/organizations/${s.orgId}/tokens`;
    const w = await s.api.post(`/v1/organizations/${s.orgId}/workspaces`, { name: 'tokens ws', defaultCloudProvider: 'AWS', defaultRegion: 'us-east-1' });
    assert.equal(w.status, 200, w.text);
    ws = w.body;
    const w2 = await s.api.post(`/v1/organizations/${s.orgId}/workspaces`, { name: 'other ws', defaultCloudProvider: 'AWS', defaultRegion: 'us-east-1' });
    ws2 = w2.body;
    const d = await s.api.post(`/v1/organizations/${s.orgId}/deployments`, { name: 'tokens dep', workspaceId: ws.id });
    assert.equal(d.status, 200, d.text);
    dep = d.body;
    const d2 = await s.api.post(`/v1/organizations/${s.orgId}/deployments`, { name: 'other dep', workspaceId: ws2.id });
    assert.equal(d2.status, 200, d2.text);
    dep2 = d2.body;
  });
  after(async () => { await s.close(); });

  it('creates an Organization token: the secret is a CLI-shaped JWT, shown once, stored nowhere readable', async () => {
    const t = await create({ name: 'ci', description: 'for CI', scope: 'ORGANIZATION', role: 'ORGANIZATION_MEMBER' });
    assert.match(t.id, CUID);
    assert.equal(t.name, 'ci');
    assert.equal(t.description, 'for CI');
    assert.equal(t.scope, 'ORGANIZATION');
    assert.equal(t.kind, 'STANDARD');
    assert.deepEqual(t.roles, [{ entityType: 'ORGANIZATION', entityId: s.orgId, role: 'ORGANIZATION_MEMBER' }]);
    assert.match(t.startAt, RFC3339);
    assert.match(t.createdAt, RFC3339);
    assert.equal(t.createdBy.id.length > 0, true);
    assert.equal(t.updatedBy.id, t.createdBy.id);
    assert.ok(!('endAt' in t) && !('expiryPeriodInDays' in t), 'a token without expiry has neither endAt nor expiryPeriodInDays');
    assert.equal(typeof t.token, 'string');
    assert.equal(t.shortToken, t.token.slice(-7));
    const claims = decodeJwt(t.token);
    assert.deepEqual(claims.permissions, [`organizationId:${s.orgId}`]);
    assert.equal(claims.apiTokenId, t.id);
    assert.equal(claims.exp, undefined);

    // The secret authenticates at once, with the role it was given.
    const own = s.as(t.token);
    assert.equal((await own.get(`/v1/organizations/${s.orgId}`)).status, 200);
    assertError(await own.get(base), 403);

    // Neither get nor list ever shows it again.
    const got = await s.api.get(`${base}/${t.id}`);
    assert.equal(got.status, 200);
    assert.ok(!('token' in got.body));
    assert.ok(!got.text.includes(t.token));
    const list = await s.api.get(base, { limit: 1000 });
    assert.equal(list.status, 200);
    assert.ok(!list.text.includes(t.token));
    assert.ok(list.body.tokens.every((x: Json) => !('token' in x)));
    const { token: _secret, ...rest } = t;
    const { lastUsedAt, ...read } = got.body;
    assert.match(lastUsedAt, RFC3339);
    assert.deepEqual(read, rest);
  });

  it('sets an expiry in days: endAt is start plus the period, the JWT expires with it, and the token stops working then', async () => {
    const t = await create({ name: 'short', scope: 'WORKSPACE', entityId: ws.id, role: 'WORKSPACE_MEMBER', tokenExpiryPeriodInDays: 30 });
    assert.equal(t.expiryPeriodInDays, 30);
    assert.equal(Date.parse(t.endAt) - Date.parse(t.startAt), 30 * 86_400_000);
    assert.equal(decodeJwt(t.token).exp, Date.parse(t.endAt) / 1000);
    assert.deepEqual(decodeJwt(t.token).permissions, [`organizationId:${s.orgId}`, `workspaceId:${ws.id}`]);
    const own = s.as(t.token);
    assert.equal((await own.get(`/v1/organizations/${s.orgId}/workspaces/${ws.id}`)).status, 200);
    s.clock.advance(31 * 86_400);
    try {
      assertError(await own.get(`/v1/organizations/${s.orgId}/workspaces/${ws.id}`), 401);
    } finally {
      s.clock.advance(-31 * 86_400);
    }
  });

  it('validates create: required fields, expiry 1–3650, scope entity, role per scope', async () => {
    assertError(await s.api.post(base, { scope: 'ORGANIZATION', role: 'ORGANIZATION_MEMBER' }), 400);
    assertError(await s.api.post(base, { name: 'x', scope: 'ORGANIZATION' }), 400);
    assertError(await s.api.post(base, { name: 'x', role: 'ORGANIZATION_MEMBER' }), 400);
    assertError(await s.api.post(base, { name: 'x', scope: 'TEAM', role: 'ORGANIZATION_MEMBER' }), 400);
    assertError(await s.api.post(base, { name: 'x', scope: 'ORGANIZATION', role: 'ORGANIZATION_MEMBER', kind: 'OTHER' }), 400);
    assertError(await s.api.post(base, { name: 'x', scope: 'ORGANIZATION', role: 'ORGANIZATION_MEMBER', tokenExpiryPeriodInDays: 0 }), 400);
    assertError(await s.api.post(base, { name: 'x', scope: 'ORGANIZATION', role: 'ORGANIZATION_MEMBER', tokenExpiryPeriodInDays: 3651 }), 400);
    assert.equal((await s.api.post(base, { name: 'x', scope: 'ORGANIZATION', role: 'ORGANIZATION_MEMBER', tokenExpiryPeriodInDays: 3650 })).status, 200);
    assertError(await s.api.post(base, { name: '  ', scope: 'ORGANIZATION', role: 'ORGANIZATION_MEMBER' }), 400, 'name', 'required');
    assertError(await s.api.post(base, { name: 'x', scope: 'WORKSPACE', role: 'WORKSPACE_MEMBER' }), 400, 'entityId', 'required');
    assertError(await s.api.post(base, { name: 'x', scope: 'WORKSPACE', entityId: 'cnosuchworkspace000000000', role: 'WORKSPACE_MEMBER' }), 404);
    assertError(await s.api.post(base, { name: 'x', scope: 'DEPLOYMENT', entityId: 'cnosuchdeployment00000000', role: 'DEPLOYMENT_ADMIN' }), 404);
    assertError(await s.api.post(base, { name: 'x', scope: 'WORKSPACE', entityId: ws.id, role: 'ORGANIZATION_OWNER' }), 400, 'roles[0].role');
    assertError(await s.api.post(base, { name: 'x', scope: 'ORGANIZATION', role: 'WORKSPACE_OWNER' }), 400, 'roles[0].role');
    assertError(await s.api.post(base, { name: 'x', scope: 'DEPLOYMENT', entityId: dep.id, role: 'WORKSPACE_OWNER' }), 400, 'roles[0].role');
    const d = await create({ name: 'dep', scope: 'DEPLOYMENT', entityId: dep.id, role: 'DEPLOYMENT_ADMIN', kind: 'DIRECT_ACCESS' });
    assert.equal(d.kind, 'DIRECT_ACCESS');
    assert.deepEqual(d.roles, [{ entityType: 'DEPLOYMENT', entityId: dep.id, role: 'DEPLOYMENT_ADMIN' }]);
    assert.equal(d.description, '');
  });

  it('updates name and description only (1–256 and ≤500), 404 for unknown ids', async () => {
    const t = await create({ name: 'before', scope: 'ORGANIZATION', role: 'ORGANIZATION_MEMBER', tokenExpiryPeriodInDays: 5 });
    s.clock.advance(1);
    const res = await s.api.post(`${base}/${t.id}`, { name: 'after', description: 'new words' });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.name, 'after');
    assert.equal(res.body.description, 'new words');
    assert.equal(res.body.expiryPeriodInDays, 5);
    assert.equal(res.body.endAt, t.endAt);
    assert.ok(Date.parse(res.body.updatedAt) > Date.parse(t.updatedAt));
    assert.ok(!('token' in res.body));
    assertError(await s.api.post(`${base}/${t.id}`, { name: '' }), 400);
    assertError(await s.api.post(`${base}/${t.id}`, { name: 'x'.repeat(257) }), 400);
    assertError(await s.api.post(`${base}/${t.id}`, { name: 'x', description: 'y'.repeat(501) }), 400);
    assertError(await s.api.post(`${base}/${t.id}`, {}), 400);
    assertError(await s.api.post(`${base}/cnosuchtoken0000000000000`, { name: 'x' }), 404);
    assertError(await s.api.get(`${base}/cnosuchtoken0000000000000`), 404);
    assertError(await s.api.delete(`${base}/cnosuchtoken0000000000000`), 404);
    assertError(await s.api.post(`${base}/cnosuchtoken0000000000000/rotate`), 404);
  });

  it('deleting a token refuses its secret at once', async () => {
    const t = await create({ name: 'doomed', scope: 'ORGANIZATION', role: 'ORGANIZATION_MEMBER' });
    const own = s.as(t.token);
    assert.equal((await own.get(`/v1/organizations/${s.orgId}`)).status, 200);
    const del = await s.api.delete(`${base}/${t.id}`);
    assert.equal(del.status, 204);
    assertError(await own.get(`/v1/organizations/${s.orgId}`), 401);
    assertError(await s.api.get(`${base}/${t.id}`), 404);
    assertError(await s.api.delete(`${base}/${t.id}`), 404);
  });

  it('rotating a token gives a new secret and refuses the old one at once', async () => {
    const t = await create({ name: 'rotating', scope: 'ORGANIZATION', role: 'ORGANIZATION_OWNER', tokenExpiryPeriodInDays: 10 });
    const old = s.as(t.token);
    assert.equal((await old.get(base)).status, 200);
    s.clock.advance(60);
    const res = await s.api.post(`${base}/${t.id}/rotate`);
    assert.equal(res.status, 200, res.text);
    const r = res.body;
    assert.equal(r.id, t.id);
    assert.notEqual(r.token, t.token);
    assert.equal(r.shortToken, r.token.slice(-7));
    assert.match(r.lastRotatedAt, RFC3339);
    assert.equal(Date.parse(r.endAt) - Date.parse(r.startAt), 10 * 86_400_000);
    assertError(await old.get(base), 401);
    const fresh = s.as(r.token);
    const got = await fresh.get(`${base}/${t.id}`);
    assert.equal(got.status, 200);
    assert.ok(!got.text.includes(r.token));
    assert.equal(got.body.lastRotatedAt, r.lastRotatedAt);
    // A token may rotate itself; its own old secret stops at once too.
    const self = await fresh.post(`${base}/${t.id}/rotate`);
    assert.equal(self.status, 200);
    assertError(await fresh.get(base), 401);
    assert.equal((await s.as(self.body.token).get(base)).status, 200);
  });

  it('replaces the whole role set, answers SubjectRoles, and the new roles apply at once', async () => {
    const t = await create({ name: 'roles', scope: 'ORGANIZATION', role: 'ORGANIZATION_MEMBER' });
    const own = s.as(t.token);
    const wsSettings = `/v1/organizations/${s.orgId}/workspaces/${ws.id}`;
    assertError(await own.post(wsSettings, { name: ws.name, description: '', cicdEnforcedDefault: false }), 403);
    const roles = [
      { entityType: 'ORGANIZATION', entityId: s.orgId, role: 'ORGANIZATION_MEMBER' },
      { entityType: 'WORKSPACE', entityId: ws.id, role: 'WORKSPACE_OWNER' },
      { entityType: 'DEPLOYMENT', entityId: dep2.id, role: 'DEPLOYMENT_ADMIN' },
      { entityType: 'DAG', entityId: 'my_dag', role: 'DAG_VIEWER', deploymentId: dep.id },
      { entityType: 'DAG_TAG', entityId: 'team-a', role: 'DAG_AUTHOR', deploymentId: dep.id },
    ];
    const res = await s.api.post(`${base}/${t.id}/roles`, { roles });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body, {
      organizationRole: 'ORGANIZATION_MEMBER',
      workspaceRoles: [{ workspaceId: ws.id, role: 'WORKSPACE_OWNER' }],
      deploymentRoles: [{ deploymentId: dep2.id, role: 'DEPLOYMENT_ADMIN' }],
      dagRoles: [{ dagId: 'my_dag', deploymentId: dep.id, role: 'DAG_VIEWER' }, { dagTag: 'team-a', deploymentId: dep.id, role: 'DAG_AUTHOR' }],
    });
    assert.deepEqual((await s.api.get(`${base}/${t.id}`)).body.roles, roles);
    const allowed = await own.post(wsSettings, { name: ws.name, description: '', cicdEnforcedDefault: false });
    assert.equal(allowed.status, 200, allowed.text);

    // A later set replaces it: the Workspace role is gone, and with it the access.
    const back = await s.api.post(`${base}/${t.id}/roles`, { roles: [roles[0]] });
    assert.deepEqual(back.body, { organizationRole: 'ORGANIZATION_MEMBER' });
    assertError(await own.post(wsSettings, { name: ws.name, description: '', cicdEnforcedDefault: false }), 403);
    assert.deepEqual((await s.api.get(`${base}/${t.id}`)).body.roles, [roles[0]]);
  });

  it('checks role sets against the token scope', async () => {
    const o = await create({ name: 'o', scope: 'ORGANIZATION', role: 'ORGANIZATION_MEMBER' });
    const w = await create({ name: 'w', scope: 'WORKSPACE', entityId: ws.id, role: 'WORKSPACE_MEMBER' });
    const d = await create({ name: 'd', scope: 'DEPLOYMENT', entityId: dep.id, role: 'DEPLOYMENT_ADMIN' });
    const post = (id: string, roles: Json[]) => s.api.post(`${base}/${id}/roles`, { roles });
    const orgRole = { entityType: 'ORGANIZATION', entityId: s.orgId, role: 'ORGANIZATION_MEMBER' };
    const wsRole = { entityType: 'WORKSPACE', entityId: ws.id, role: 'WORKSPACE_MEMBER' };
    const depRole = { entityType: 'DEPLOYMENT', entityId: dep.id, role: 'DEPLOYMENT_ADMIN' };
    assertError(await post(o.id, []), 400);
    assertError(await post(o.id, [wsRole]), 400, 'roles', 'invalid');
    assertError(await post(o.id, [orgRole, orgRole]), 400, 'roles[1].entityId');
    assertError(await post(o.id, [{ ...orgRole, entityId: 'cotherorg0000000000000000' }]), 400, 'roles[0].entityId');
    assertError(await post(o.id, [orgRole, { entityType: 'DAG', entityId: 'x', role: 'DAG_VIEWER' }]), 400, 'roles[1].deploymentId', 'required');
    assertError(await post(o.id, [orgRole, { entityType: 'DAG', entityId: 'x', role: 'WORKSPACE_OWNER', deploymentId: dep.id }]), 400, 'roles[1].role');
    assertError(await post(o.id, [orgRole, { entityType: 'WORKSPACE', entityId: 'cnosuchworkspace000000000', role: 'WORKSPACE_MEMBER' }]), 404);
    assertError(await post(o.id, [orgRole, { entityType: 'TEAM', entityId: 'x', role: 'y' }]), 400);
    assertError(await post(w.id, [wsRole, orgRole]), 400, 'roles[1].entityType');
    assertError(await post(w.id, [{ ...wsRole, entityId: ws2.id }]), 400, 'roles[0].entityId');
    assertError(await post(w.id, [wsRole, { entityType: 'DEPLOYMENT', entityId: dep2.id, role: 'DEPLOYMENT_ADMIN' }]), 400, 'roles[1].entityId');
    assert.equal((await post(w.id, [wsRole, depRole])).status, 200);
    assertError(await post(d.id, [depRole, wsRole]), 400, 'roles[1].entityType');
    // DAG roles: Organization tokens, and Deployment tokens on DAGs of their own Deployment (as the
    // Terraform provider's validation accepts); no Workspace token.
    assert.equal((await post(d.id, [depRole, { entityType: 'DAG', entityId: 'x', role: 'DAG_VIEWER', deploymentId: dep.id }])).status, 200);
    assertError(await post(d.id, [depRole, { entityType: 'DAG_TAG', entityId: 'x', role: 'DAG_VIEWER', deploymentId: dep2.id }]), 400, 'roles[1].deploymentId');
    assertError(await post(w.id, [wsRole, { entityType: 'DAG', entityId: 'x', role: 'DAG_VIEWER', deploymentId: dep.id }]), 400, 'roles[1].entityType');
    assertError(await post(d.id, [{ ...depRole, entityId: dep2.id }]), 400, 'roles[0].entityId');
    // A custom Deployment role of the organization passes; an unknown name or a custom role of another scope does not.
    assertError(await post(d.id, [{ ...depRole, role: 'MY_CUSTOM_ROLE' }]), 400, 'roles[0].role', 'oneof');
    const custom = await s.api.post(`/v1/organizations/${s.orgId}/roles`, { name: 'MY_CUSTOM_ROLE', scopeType: 'DEPLOYMENT', permissions: ['deployment.get'] });
    assert.equal(custom.status, 200);
    assert.equal((await post(d.id, [{ ...depRole, role: 'MY_CUSTOM_ROLE' }])).status, 200);
    assertError(await post(o.id, [orgRole, { entityType: 'DAG', entityId: 'x', role: 'MY_CUSTOM_ROLE', deploymentId: dep.id }]), 400, 'roles[1].role', 'oneof');
    assertError(await s.api.post(base, { name: 'c', scope: 'DEPLOYMENT', entityId: dep.id, role: 'NO_SUCH_ROLE' }), 400, 'roles[0].role');
    assert.equal((await post(d.id, [depRole])).status, 200);
    assert.equal((await s.api.delete(`/v1/organizations/${s.orgId}/roles/${custom.body.id}`)).status, 204);
  });

  it('lists with filters: a Workspace filter includes Organization tokens assigned there', async () => {
    const o2 = await createOrganizationWithOwner(s.app, { name: 'filters org' });
    const api = s.as(o2.token);
    const url = `/v1/organizations/${o2.organizationId}/tokens`;
    const w = (await api.post(`/v1/organizations/${o2.organizationId}/workspaces`, { name: 'w', defaultCloudProvider: 'AWS', defaultRegion: 'us-east-1' })).body;
    const d = (await api.post(`/v1/organizations/${o2.organizationId}/deployments`, { name: 'd', workspaceId: w.id })).body;
    const mk = async (body: Json) => (await api.post(url, body)).body;
    const orgTok = await mk({ name: 'b-org', scope: 'ORGANIZATION', role: 'ORGANIZATION_MEMBER' });
    const wsTok = await mk({ name: 'c-ws', scope: 'WORKSPACE', entityId: w.id, role: 'WORKSPACE_MEMBER' });
    const depTok = await mk({ name: 'a-dep', scope: 'DEPLOYMENT', entityId: d.id, role: 'DEPLOYMENT_ADMIN', kind: 'DIRECT_ACCESS' });
    const ids = async (q: Json) => {
      const res = await api.get(url, q);
      assert.equal(res.status, 200, res.text);
      return res.body.tokens.map((t: Json) => t.id);
    };
    const all = await api.get(url);
    assert.equal(all.body.totalCount, 4); // the owner token too
    assert.equal(all.body.limit, 20);
    assert.equal(all.body.offset, 0);
    assert.deepEqual(await ids({ workspaceId: w.id }), [wsTok.id]);
    await api.post(`${url}/${orgTok.id}/roles`, { roles: [orgTok.roles[0], { entityType: 'WORKSPACE', entityId: w.id, role: 'WORKSPACE_AUTHOR' }] });
    assert.deepEqual(await ids({ workspaceId: w.id }), [orgTok.id, wsTok.id]);
    assert.deepEqual(await ids({ deploymentId: d.id }), [depTok.id]);
    await api.post(`${url}/${orgTok.id}/roles`, { roles: [orgTok.roles[0], { entityType: 'DAG', entityId: 'etl', role: 'DAG_VIEWER', deploymentId: d.id }, { entityType: 'DAG_TAG', entityId: 'nightly', role: 'DAG_VIEWER', deploymentId: d.id }] });
    assert.deepEqual(await ids({ deploymentId: d.id }), [orgTok.id, depTok.id]);
    assert.deepEqual(await ids({ dagId: 'etl' }), [orgTok.id]);
    assert.deepEqual(await ids({ dagId: 'other' }), []);
    assert.deepEqual(await ids({ dagTags: ['x', 'nightly'] }), [orgTok.id]);
    assert.deepEqual(await ids({ workspaceId: w.id }), [wsTok.id]);
    assert.equal((await ids({ includeOnlyOrganizationTokens: true })).length, 2);
    assert.ok(!(await ids({ includeOnlyOrganizationTokens: true })).includes(wsTok.id));
    assert.deepEqual(await ids({ kind: 'DIRECT_ACCESS' }), [depTok.id]);
    const byName = (await api.get(url, { sorts: 'name:asc' })).body.tokens.map((t: Json) => t.name);
    assert.deepEqual(byName, ['Astrolabe owner token', 'a-dep', 'b-org', 'c-ws']);
    const page = await api.get(url, { sorts: 'name:desc', limit: 1, offset: 1 });
    assert.equal(page.body.tokens.length, 1);
    assert.equal(page.body.totalCount, 4);
    assertError(await api.get(url, { sorts: 'scope:asc' }), 400);
    assertError(await api.get(url, { kind: 'OTHER' }), 400);
    assertError(await api.get(url, { limit: 1001 }), 400);
  });

  it('Workspace callers manage only the tokens of their Workspace; other organizations see nothing', async () => {
    const operator = await s.withRoles('WORKSPACE', ws.id, [{ entityType: 'WORKSPACE', entityId: ws.id, role: 'WORKSPACE_OPERATOR' }]);
    const member = await s.withRoles('WORKSPACE', ws.id, [{ entityType: 'WORKSPACE', entityId: ws.id, role: 'WORKSPACE_MEMBER' }]);
    const mine = await create({ name: 'mine', scope: 'WORKSPACE', entityId: ws.id, role: 'WORKSPACE_MEMBER' }, operator);
    const theirs = await create({ name: 'theirs', scope: 'WORKSPACE', entityId: ws2.id, role: 'WORKSPACE_MEMBER' });
    const orgTok = await create({ name: 'org', scope: 'ORGANIZATION', role: 'ORGANIZATION_MEMBER' });
    assert.equal((await operator.get(`${base}/${mine.id}`)).status, 200);
    assert.equal((await operator.get(base, { workspaceId: ws.id })).status, 200);
    assertError(await operator.get(base), 403);
    assertError(await operator.get(base, { workspaceId: ws2.id }), 403);
    assertError(await operator.get(base, { deploymentId: dep2.id }), 403);
    // Deployment API tokens are the Workspace Owner's: an Operator does not even list them.
    assertError(await operator.get(base, { deploymentId: dep.id }), 403);
    for (const id of [theirs.id, orgTok.id, 'cnosuchtoken0000000000000']) {
      assertError(await operator.get(`${base}/${id}`), 403);
      assertError(await operator.post(`${base}/${id}`, { name: 'x' }), 403);
      assertError(await operator.post(`${base}/${id}/rotate`), 403);
      assertError(await operator.delete(`${base}/${id}`), 403);
    }
    assertError(await operator.post(base, { name: 'x', scope: 'WORKSPACE', entityId: ws2.id, role: 'WORKSPACE_MEMBER' }), 403);
    assertError(await operator.post(base, { name: 'x', scope: 'ORGANIZATION', role: 'ORGANIZATION_MEMBER' }), 403);
    assertError(await operator.post(base, { name: 'x', scope: 'DEPLOYMENT', entityId: dep2.id, role: 'DEPLOYMENT_ADMIN' }), 403);
    assertError(await member.get(`${base}/${mine.id}`), 403);
    assertError(await member.get(base, { workspaceId: ws.id }), 403);

    const other = await createOrganizationWithOwner(s.app, { name: 'elsewhere' });
    const stranger = s.as(other.token);
    assertError(await stranger.get(base), 403);
    assertError(await stranger.get(`${base}/${mine.id}`), 403);
    assertError(await stranger.post(`${base}/${mine.id}/rotate`), 403);
    assertError(await s.api.get(`/v1/organizations/${other.organizationId}/tokens/${mine.id}`), 403);
    assertError(await stranger.get(`/v1/organizations/${other.organizationId}/tokens/${mine.id}`), 404);
    assertError(await s.as(undefined).get(base), 401);
  });
});
