import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { decodeJwt } from 'jose';
import { assertError, CUID, RFC3339 } from '../helpers/client.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { putBlob, tarGz } from '../helpers/tarball.js';
import { createOrganizationWithOwner } from '../../src/bootstrap.js';

type Json = Record<string, any>;

describe('agent tokens', () => {
  let s: TestServer;
  let ws: Json;
  let dep: Json;
  let dep2: Json;
  let base: string;

  const create = async (body: Json, path = base) => {
    const res = await s.api.post(path, body);
    assert.equal(res.status, 200, res.text);
    return res.body;
  };

  before(async () => {
    s = await startServer();
    const w = await s.api.post(`/v1/organizations/${s.orgId}/workspaces`, { name: 'agents ws', defaultCloudProvider: 'AWS', defaultRegion: 'us-east-1' });
    ws = w.body;
    dep = (await s.api.post(`/v1/organizations/${s.orgId}/deployments`, { name: 'agents dep', workspaceId: ws.id })).body;
    dep2 = (await s.api.post(`/v1/organizations/${s.orgId}/deployments`, { name: 'agents dep 2', workspaceId: ws.id })).body;
    base = `/v1/organizations/${s.orgId}/deployments/${dep.id}/agent-tokens`;
  });
  after(async () => { await s.close(); });

  it('creates a token of the Deployment: the secret is shown once, get and list never show it', async () => {
    const t = await create({ name: 'agent', description: '' });
    assert.match(t.id, CUID);
    assert.equal(t.name, 'agent');
    assert.equal(t.description, '');
    assert.equal(t.scope, 'DEPLOYMENT');
    assert.deepEqual(t.roles, [{ entityType: 'DEPLOYMENT', entityId: dep.id, role: 'DEPLOYMENT_ADMIN' }]);
    assert.ok(!('endAt' in t) && !('expiryPeriodInDays' in t), 'no expiry: neither endAt nor expiryPeriodInDays');
    assert.equal(typeof t.token, 'string');
    assert.equal(t.shortToken, t.token.slice(-7));
    assert.match(t.createdAt, RFC3339);
    assert.deepEqual(decodeJwt(t.token).permissions, [`organizationId:${s.orgId}`, `deploymentId:${dep.id}`]);

    const got = await s.api.get(`${base}/${t.id}`);
    assert.equal(got.status, 200);
    assert.ok(!('token' in got.body));
    const { token: _secret, ...rest } = t;
    assert.deepEqual(got.body, rest);
    const list = await s.api.get(base);
    assert.equal(list.status, 200);
    assert.ok(!list.text.includes(t.token));
    assert.ok(list.body.tokens.some((x: Json) => x.id === t.id));
    // Only a digest is stored.
    const row = await s.app.db.selectFrom('api_tokens').selectAll().where('id', '=', t.id).executeTakeFirstOrThrow();
    assert.ok(!JSON.stringify(row).includes(t.token));
  });

  it('sets an expiry of 1–3650 days; the token stops working when it ends', async () => {
    const t = await create({ name: 'short', tokenExpiryPeriodInDays: 1 });
    assert.equal(t.expiryPeriodInDays, 1);
    assert.equal(Date.parse(t.endAt) - Date.parse(t.startAt), 86_400_000);
    assertError(await s.api.post(base, { name: 'x', tokenExpiryPeriodInDays: 0 }), 400, 'tokenExpiryPeriodInDays');
    assertError(await s.api.post(base, { name: 'x', tokenExpiryPeriodInDays: 3651 }), 400, 'tokenExpiryPeriodInDays');
    assertError(await s.api.post(base, { name: ' ' }), 400, 'name');
    assertError(await s.api.post(base, {}), 400, 'name');
    const agent = s.as(t.token);
    assert.equal((await agent.get(`/v1/organizations/${s.orgId}/deployments/${dep.id}/deploys`)).status, 200);
    s.clock.advance(86_400);
    assertError(await agent.get(`/v1/organizations/${s.orgId}/deployments/${dep.id}/deploys`), 401);
  });

  it('deploys to its own Deployment only', async () => {
    const t = await create({ name: 'ci' });
    const agent = s.as(t.token);
    const own = `/v1/organizations/${s.orgId}/deployments/${dep.id}/deploys`;
    const d = await agent.post(own, { type: 'DAG_ONLY' });
    assert.equal(d.status, 200, d.text);
    assert.equal(d.body.createdBySubject.id, t.id);
    assert.equal(d.body.createdBySubject.apiTokenName, 'ci');
    const v = (await putBlob(d.body.dagsUploadUrl, tarGz([{ name: 'dags/a.py', content: 'a\n' }]))).headers.get('x-ms-version-id')!;
    const f = await agent.post(`${own}/${d.body.id}/finalize`, { dagTarballVersion: v });
    assert.equal(f.status, 200, f.text);
    assert.equal((await agent.get(`/v1/organizations/${s.orgId}/deployments/${dep.id}`)).status, 200);

    // Nothing of the other Deployment, the Workspace or the Organization's API tokens.
    assertError(await agent.post(`/v1/organizations/${s.orgId}/deployments/${dep2.id}/deploys`, { type: 'DAG_ONLY' }), 403);
    assertError(await agent.get(`/v1/organizations/${s.orgId}/deployments/${dep2.id}/agent-tokens`), 403);
    assertError(await agent.get(`/v1/organizations/${s.orgId}/tokens`), 403);
    assertError(await agent.post(`/v1/organizations/${s.orgId}/deployments`, { name: 'nope', workspaceId: ws.id }), 403);
  });

  it('is no API token: ListApiTokens and the API token operations do not see it', async () => {
    const t = await create({ name: 'hidden' });
    const tokens = `/v1/organizations/${s.orgId}/tokens`;
    const all = await s.api.get(tokens, { limit: 1000 });
    assert.ok(!all.body.tokens.some((x: Json) => x.id === t.id));
    const byDeployment = await s.api.get(tokens, { deploymentId: dep.id, limit: 1000 });
    assert.ok(!byDeployment.body.tokens.some((x: Json) => x.id === t.id));
    assertError(await s.api.get(`${tokens}/${t.id}`), 404);
    assertError(await s.api.post(`${tokens}/${t.id}/rotate`), 404);
    assertError(await s.api.delete(`${tokens}/${t.id}`), 404);
    // And an API token is no agent token.
    const api = await s.api.post(tokens, { name: 'api', scope: 'DEPLOYMENT', entityId: dep.id, role: 'DEPLOYMENT_ADMIN' });
    assert.equal(api.status, 200, api.text);
    assertError(await s.api.get(`${base}/${api.body.id}`), 404);
    assert.ok(!(await s.api.get(base)).body.tokens.some((x: Json) => x.id === api.body.id));
  });

  it('lists per Deployment with paging and sorts', async () => {
    const path = `/v1/organizations/${s.orgId}/deployments/${dep2.id}/agent-tokens`;
    for (const name of ['b', 'a', 'c']) await create({ name, description: `token ${name}` }, path);
    const page = await s.api.get(path, { sorts: ['name:asc'], limit: 2 });
    assert.equal(page.status, 200);
    assert.equal(page.body.totalCount, 3);
    assert.deepEqual(page.body.tokens.map((x: Json) => x.name), ['a', 'b']);
    const desc = await s.api.get(path, { sorts: ['name:desc'], offset: 2 });
    assert.deepEqual(desc.body.tokens.map((x: Json) => x.name), ['a']);
    assertError(await s.api.get(path, { sorts: ['role:asc'] }), 400, 'sorts[0]');
    // A token is found only under its own Deployment.
    const id = page.body.tokens[0].id;
    assertError(await s.api.get(`${base}/${id}`), 404);
    assertError(await s.api.get(`/v1/organizations/${s.orgId}/deployments/cnotadeployment0000000000/agent-tokens`), 404);
  });

  it('deleting a token refuses its secret at once; deleting the Deployment deletes its tokens', async () => {
    const t = await create({ name: 'gone' });
    const agent = s.as(t.token);
    assert.equal((await agent.get(base)).status, 200);
    assert.equal((await s.api.delete(`${base}/${t.id}`)).status, 204);
    assertError(await agent.get(base), 401);
    assertError(await s.api.delete(`${base}/${t.id}`), 404);
    assertError(await s.api.get(`${base}/${t.id}`), 404);

    const d3 = (await s.api.post(`/v1/organizations/${s.orgId}/deployments`, { name: 'agents dep 3', workspaceId: ws.id })).body;
    const path = `/v1/organizations/${s.orgId}/deployments/${d3.id}/agent-tokens`;
    const t3 = await create({ name: 'with deployment' }, path);
    const agent3 = s.as(t3.token);
    // Known (and cached) before the delete, refused after it.
    assert.equal((await agent3.get(path)).status, 200);
    assert.equal((await s.api.delete(`/v1/organizations/${s.orgId}/deployments/${d3.id}`)).status, 204);
    // 401, not the 403 a stale principal would get for a Deployment that is gone.
    assertError(await agent3.get(path), 401);
    const rows = await s.app.db.selectFrom('api_tokens').select('id').where('id', '=', t3.id).execute();
    assert.deepEqual(rows, []);
  });

  it('needs the agent token permissions on the Deployment; other organizations are refused', async () => {
    const t = await create({ name: 'perm' });
    const author = await s.withRoles('WORKSPACE', ws.id, [{ entityType: 'WORKSPACE', entityId: ws.id, role: 'WORKSPACE_AUTHOR' }]);
    assertError(await author.get(base), 403);
    assertError(await author.post(base, { name: 'x' }), 403);
    assertError(await author.get(`${base}/${t.id}`), 403);
    assertError(await author.delete(`${base}/${t.id}`), 403);
    const operator = await s.withRoles('WORKSPACE', ws.id, [{ entityType: 'WORKSPACE', entityId: ws.id, role: 'WORKSPACE_OPERATOR' }]);
    assert.equal((await operator.get(base)).status, 200);
    const made = await operator.post(base, { name: 'by operator' });
    assert.equal(made.status, 200, made.text);
    const admin2 = await s.withRoles('DEPLOYMENT', dep2.id, [{ entityType: 'DEPLOYMENT', entityId: dep2.id, role: 'DEPLOYMENT_ADMIN' }]);
    assertError(await admin2.get(base), 403);
    assertError(await admin2.post(base, { name: 'x' }), 403);
    const other = await createOrganizationWithOwner(s.app, { name: 'Other org' });
    assertError(await s.as(other.token).get(base), 403);
    assertError(await s.as(other.token).post(base, { name: 'x' }), 403);
  });
});
