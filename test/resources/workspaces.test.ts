import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertError, CUID, RFC3339 } from '../helpers/client.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { createOrganizationWithOwner } from '../../src/bootstrap.js';

async function insertCluster(s: TestServer, orgId: string, name: string): Promise<string> {
  const id = 'c' + Math.random().toString(36).slice(2).padEnd(24, '0').slice(0, 24);
  const at = '2026-03-01T12:00:00.000Z';
  await s.app.db.insertInto('clusters').values({
    id, organization_id: orgId, name, type: 'DEDICATED', cloud_provider: 'AWS', region: 'us-east-1', vpc_subnet_range: '172.20.0.0/20',
    pod_subnet_range: null, service_subnet_range: null, service_peering_range: null, secondary_vpc_cidr: null, db_instance_type: 'db.m6g.large',
    provider_account: null, tenant_id: null, is_limited: 0, is_private_network_egress_enabled: null, k8s_tags: '[]', metadata: '{}', dr_region: '',
    is_dr_enabled: 0, dr_vpc_subnet_range: null, dr_secondary_vpc_cidr: null, dr_pod_subnet_range: null, dr_service_subnet_range: null,
    dr_service_peering_range: null, enable_replication_time_control: null, is_failed_over: 0, pending_status: null, pending_until: null,
    created_at: at, created_by_id: 'x', created_by_type: 'SERVICEKEY', updated_at: at, updated_by_id: 'x', updated_by_type: 'SERVICEKEY',
  }).execute();
  return id;
}

describe('workspaces', () => {
  let s: TestServer;
  let base: string;
  before(async () => {
    s = await startServer();
    base = `/v1/organizations/${s.orgId}/workspaces`;
  });
  after(async () => { await s.close(); });

  it('creates a workspace with only a name and reads it back', async () => {
    const res = await s.api.post(base, { name: 'Data Platform' });
    assert.equal(res.status, 200);
    const ws = res.body;
    assert.match(ws.id, CUID);
    assert.equal(ws.name, 'Data Platform');
    assert.equal(ws.organizationId, s.orgId);
    assert.equal(ws.organizationName, 'My Organization');
    assert.equal(ws.cicdEnforcedDefault, false);
    assert.match(ws.createdAt, RFC3339);
    assert.equal(ws.createdBy.id, ws.updatedBy.id);
    assert.ok(!('description' in ws), 'an unset description is left out');
    assert.ok(!('defaultClusterId' in ws));
    const read = await s.api.get(`${base}/${ws.id}`);
    assert.equal(read.status, 200);
    assert.deepEqual(read.body, ws);
  });

  it('stores provider/region defaults and validates them', async () => {
    const ok = await s.api.post(base, { name: 'std', description: 'standard', cicdEnforcedDefault: true, defaultCloudProvider: 'GCP', defaultRegion: 'us-central1' });
    assert.equal(ok.status, 200);
    assert.equal(ok.body.defaultCloudProvider, 'GCP');
    assert.equal(ok.body.defaultRegion, 'us-central1');
    assert.equal(ok.body.cicdEnforcedDefault, true);
    assertError(await s.api.post(base, { name: 'x', defaultCloudProvider: 'AWS' }), 400, 'defaultRegion', 'required_with');
    assertError(await s.api.post(base, { name: 'x', defaultRegion: 'us-east-1' }), 400, 'defaultCloudProvider', 'required_with');
    assertError(await s.api.post(base, { name: 'x', defaultCloudProvider: 'AWS', defaultRegion: 'westus2' }), 400, 'defaultRegion', 'oneof');
    assertError(await s.api.post(base, { name: 'x', defaultCloudProvider: 'IBM', defaultRegion: 'x' }), 400, 'defaultCloudProvider', 'oneof');
  });

  it('takes a cluster of the organization as default, exclusive with provider/region', async () => {
    const clusterId = await insertCluster(s, s.orgId, 'c1');
    const ok = await s.api.post(base, { name: 'ded', defaultClusterId: clusterId });
    assert.equal(ok.status, 200);
    assert.equal(ok.body.defaultClusterId, clusterId);
    assertError(await s.api.post(base, { name: 'x', defaultClusterId: clusterId, defaultCloudProvider: 'AWS', defaultRegion: 'us-east-1' }), 400, 'defaultClusterId', 'excluded_with');
    assertError(await s.api.post(base, { name: 'x', defaultClusterId: `c${'9'.repeat(24)}` }), 400, 'defaultClusterId', 'exists');
    const other = await createOrganizationWithOwner(s.app, { name: 'Other' });
    const foreignCluster = await insertCluster(s, other.organizationId, 'theirs');
    assertError(await s.api.post(base, { name: 'x', defaultClusterId: foreignCluster }), 400, 'defaultClusterId', 'exists');
  });

  it('validates the create body', async () => {
    assertError(await s.api.post(base, {}), 400, 'name', 'required');
    assertError(await s.api.post(base, { name: '' }), 400, 'name', 'required');
    assertError(await s.api.post(base, { name: 'n'.repeat(51) }), 400, 'name', 'max');
    assertError(await s.api.post(base, { name: 5 }), 400, 'name', 'type');
    assertError(await s.api.post(base, { name: 'x', cicdEnforcedDefault: 'true' }), 400, 'cicdEnforcedDefault', 'type');
  });

  it('updates name, description and CI/CD default, keeping defaults that are left out', async () => {
    const created = (await s.api.post(base, { name: 'upd', defaultCloudProvider: 'AWS', defaultRegion: 'us-west-2' })).body;
    s.clock.advance(30);
    const res = await s.api.post(`${base}/${created.id}`, { name: 'updated', description: 'now described', cicdEnforcedDefault: true });
    assert.equal(res.status, 200);
    assert.equal(res.body.name, 'updated');
    assert.equal(res.body.description, 'now described');
    assert.equal(res.body.cicdEnforcedDefault, true);
    assert.equal(res.body.defaultCloudProvider, 'AWS');
    assert.equal(res.body.defaultRegion, 'us-west-2');
    assert.notEqual(res.body.updatedAt, created.updatedAt);
    assert.equal(res.body.createdAt, created.createdAt);
    // Switching to a cluster default drops the provider/region pair.
    const clusterId = await insertCluster(s, s.orgId, 'c2');
    const sw = await s.api.post(`${base}/${created.id}`, { name: 'updated', description: '', cicdEnforcedDefault: true, defaultClusterId: clusterId });
    assert.equal(sw.body.defaultClusterId, clusterId);
    assert.ok(!('defaultCloudProvider' in sw.body));
    // An empty string clears the default.
    const cleared = await s.api.post(`${base}/${created.id}`, { name: 'updated', description: '', cicdEnforcedDefault: true, defaultClusterId: '' });
    assert.ok(!('defaultClusterId' in cleared.body));
    assertError(await s.api.post(`${base}/${created.id}`, { name: 'updated' }), 400, 'description', 'required');
    assertError(await s.api.post(`${base}/c${'1'.repeat(24)}`, { name: 'a', description: '', cicdEnforcedDefault: false }), 404);
  });

  it('lists with filters, sorting and pagination edges', async () => {
    const o = await s.api.post(`/v1/organizations`, {});
    assert.equal(o.status, 405); // no such operation: POST /organizations (the path answers GET only)
    const names = ['zeta', 'alpha', 'mid'];
    for (const name of names) await s.api.post(base, { name });
    const all = await s.api.get(base, { limit: 1000 });
    assert.equal(all.status, 200);
    const total = all.body.totalCount;
    assert.equal(all.body.workspaces.length, total);
    const sorted = await s.api.get(base, { sorts: 'name:asc', limit: 1000 });
    const got = sorted.body.workspaces.map((w: { name: string }) => w.name);
    assert.deepEqual(got, [...got].sort());
    const desc = await s.api.get(base, { sorts: 'name:desc', limit: 1000 });
    assert.deepEqual(desc.body.workspaces.map((w: { name: string }) => w.name), [...got].reverse());
    const page = await s.api.get(base, { limit: 2, offset: 1, sorts: 'name:asc' });
    assert.deepEqual(page.body.workspaces.map((w: { name: string }) => w.name), got.slice(1, 3));
    assert.equal(page.body.limit, 2);
    assert.equal(page.body.offset, 1);
    assert.equal(page.body.totalCount, total);
    const zero = await s.api.get(base, { limit: 0 });
    assert.deepEqual(zero.body.workspaces, []);
    assert.equal(zero.body.totalCount, total);
    const past = await s.api.get(base, { offset: 1000, limit: 1000 });
    assert.deepEqual(past.body.workspaces, []);
    assert.equal(past.body.totalCount, total);
    const byName = await s.api.get(base, { names: ['alpha', 'mid', 'nope'] });
    assert.deepEqual(byName.body.workspaces.map((w: { name: string }) => w.name).sort(), ['alpha', 'mid']);
    const ids = [all.body.workspaces[0].id, `c${'2'.repeat(24)}`];
    const byId = await s.api.get(base, { workspaceIds: ids });
    assert.equal(byId.body.totalCount, 1);
    assertError(await s.api.get(base, { limit: 1001 }), 400, 'limit', 'max');
    assertError(await s.api.get(base, { offset: -1 }), 400, 'offset', 'min');
    assertError(await s.api.get(base, { limit: 'ten' }), 400, 'limit');
    assertError(await s.api.get(base, { sorts: 'size:asc' }), 400);
  });

  it('deletes a workspace: 204, then 404', async () => {
    const ws = (await s.api.post(base, { name: 'doomed' })).body;
    const del = await s.api.delete(`${base}/${ws.id}`);
    assert.equal(del.status, 204);
    assertError(await s.api.get(`${base}/${ws.id}`), 404);
    assertError(await s.api.delete(`${base}/${ws.id}`), 404);
  });

  it('hides another organization\'s workspaces behind the same 404 as a missing one', async () => {
    const other = await createOrganizationWithOwner(s.app, { name: 'Other Org' });
    const theirs = await s.as(other.token).post(`/v1/organizations/${other.organizationId}/workspaces`, { name: 'theirs' });
    assert.equal(theirs.status, 200);
    const foreign = await s.api.get(`${base}/${theirs.body.id}`);
    const missing = await s.api.get(`${base}/c${'3'.repeat(24)}`);
    assertError(foreign, 404);
    assertError(missing, 404);
    assert.equal(foreign.body.message, missing.body.message);
    assertError(await s.api.post(`${base}/${theirs.body.id}`, { name: 'mine', description: '', cicdEnforcedDefault: false }), 404);
    assertError(await s.api.delete(`${base}/${theirs.body.id}`), 404);
    assert.equal((await s.as(other.token).get(`/v1/organizations/${other.organizationId}/workspaces/${theirs.body.id}`)).body.name, 'theirs');
    // And their token cannot reach our organization at all.
    assertError(await s.as(other.token).get(base), 403);
  });

  it('requires a token', async () => {
    assertError(await s.as(undefined).get(base), 401);
    assertError(await s.as(undefined).post(base, { name: 'x' }), 401);
  });
});
