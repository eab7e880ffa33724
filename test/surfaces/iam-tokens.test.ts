import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertError } from '../helpers/client.js';
import { startServer, type TestServer } from '../helpers/server.js';

/** The provider's astro_api_token calls on /iam/v1beta1, and the same token seen on /v1. */
describe('iam v1beta1: API tokens', () => {
  let s: TestServer;
  let ws: string;
  let iam: string;
  before(async () => {
    s = await startServer();
    ws = (await s.api.post(`/v1/organizations/${s.orgId}/workspaces`, { name: 'w' })).body.id;
    iam = `/iam/v1beta1/organizations/${s.orgId}/tokens`;
  });
  after(async () => { await s.close(); });

  it('creates with `type`, sets the full role set, reads back without the secret, and /v1 shows `scope`', async () => {
    const created = await s.api.post(iam, { name: 'tf', description: '', type: 'WORKSPACE', role: 'WORKSPACE_MEMBER', entityId: ws, tokenExpiryPeriodInDays: 30 });
    assert.equal(created.status, 200, created.text);
    assert.equal(created.body.type, 'WORKSPACE');
    assert.ok(!('scope' in created.body));
    assert.equal(typeof created.body.token, 'string');
    assert.equal(created.body.expiryPeriodInDays, 30);
    const id = created.body.id;
    const roles = [{ entityType: 'WORKSPACE', entityId: ws, role: 'WORKSPACE_OPERATOR' }];
    const set = await s.api.post(`${iam}/${id}/roles`, { roles });
    assert.equal(set.status, 200, set.text);
    const read = (await s.api.get(`${iam}/${id}`)).body;
    assert.deepEqual(read.roles, roles);
    assert.ok(!('token' in read));
    const v1 = (await s.api.get(`/v1/organizations/${s.orgId}/tokens/${id}`)).body;
    assert.equal(v1.scope, 'WORKSPACE');
    assert.ok(!('type' in v1));
    // The token works, as its new role allows.
    const client = s.as(created.body.token);
    assert.equal((await client.get(`/platform/v1beta1/organizations/${s.orgId}/workspaces/${ws}`)).status, 200);
    const updated = await s.api.post(`${iam}/${id}`, { name: 'tf2', description: 'd' });
    assert.equal(updated.body.name, 'tf2');
    assert.equal(updated.body.type, 'WORKSPACE');
    const rotated = await s.api.post(`${iam}/${id}/rotate`);
    assert.equal(rotated.status, 200);
    assertError(await client.get(`/platform/v1beta1/organizations/${s.orgId}/workspaces/${ws}`), 401);
    const listed = (await s.api.get(iam, { workspaceId: ws })).body;
    assert.deepEqual(listed.tokens.map((t: { id: string; type: string }) => [t.id, t.type]), [[id, 'WORKSPACE']]);
    assert.equal((await s.api.delete(`${iam}/${id}`)).status, 204);
    assertError(await s.api.get(`/v1/organizations/${s.orgId}/tokens/${id}`), 404);
  });

  it('refuses a create body that names `scope` instead of `type`', async () => {
    assertError(await s.api.post(iam, { name: 'x', scope: 'ORGANIZATION', role: 'ORGANIZATION_MEMBER' }), 400);
  });

  it('serves the allowed IP ranges list on iam as on v1', async () => {
    const res = await s.api.get(`/iam/v1beta1/organizations/${s.orgId}/allowed-ip-address-ranges`, { limit: 1000, offset: 0 });
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, (await s.api.get(`/v1/organizations/${s.orgId}/allowed-ip-address-ranges`, { limit: 1000, offset: 0 })).body);
  });
});
