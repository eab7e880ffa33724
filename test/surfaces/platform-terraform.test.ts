import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertError } from '../helpers/client.js';
import { startServer, type TestServer } from '../helpers/server.js';

/**
 * The Terraform provider's sequences for astro_workspace and astro_cluster on /platform/v1beta1:
 * create, read, update, import by id, delete, and the read after delete that drops the resource
 * from state (404). Every value sent comes back as sent.
 */
describe('platform v1beta1: the provider\'s workspace and cluster sequences', () => {
  let s: TestServer;
  let base: string;
  before(async () => {
    s = await startServer();
    base = `/platform/v1beta1/organizations/${s.orgId}`;
  });
  after(async () => { await s.close(); });

  it('astro_workspace: create, read, update, import, delete, read after delete', async () => {
    const sent = { name: 'tf-ws', description: 'made by terraform', cicdEnforcedDefault: true };
    const created = await s.api.post(`${base}/workspaces`, sent);
    assert.equal(created.status, 200, created.text);
    for (const [k, v] of Object.entries(sent)) assert.deepEqual(created.body[k], v, k);
    for (const k of ['id', 'createdAt', 'updatedAt', 'organizationId']) assert.ok(created.body[k], k);
    assert.ok(created.body.createdBy.id && created.body.updatedBy.id);
    const id = created.body.id;
    assert.deepEqual((await s.api.get(`${base}/workspaces/${id}`)).body, created.body);
    // An empty description is what the provider sends when none is configured.
    const updated = await s.api.post(`${base}/workspaces/${id}`, { name: 'tf-ws-2', description: '', cicdEnforcedDefault: false });
    assert.equal(updated.status, 200, updated.text);
    assert.equal(updated.body.name, 'tf-ws-2');
    assert.equal(updated.body.cicdEnforcedDefault, false);
    assert.ok(!updated.body.description, 'an empty description reads as none');
    // Import: the id alone reads the whole resource.
    const imported = (await s.api.get(`${base}/workspaces/${id}`)).body;
    assert.deepEqual(imported, updated.body);
    // The data source lists by id; an unknown id is simply absent.
    const listed = (await s.api.get(`${base}/workspaces`, { workspaceIds: [id, `c${'0'.repeat(24)}`] })).body;
    assert.deepEqual(listed.workspaces.map((w: { id: string }) => w.id), [id]);
    assert.equal((await s.api.delete(`${base}/workspaces/${id}`)).status, 204);
    assertError(await s.api.get(`${base}/workspaces/${id}`), 404);
  });

  it('astro_cluster: create (DEDICATED AWS), read, update, import, delete, read after delete', async () => {
    const ws = (await s.api.post(`${base}/workspaces`, { name: 'for-cluster', description: '', cicdEnforcedDefault: false })).body.id;
    const sent = {
      cloudProvider: 'AWS', type: 'DEDICATED', name: 'tf-cluster', region: 'us-west-2', vpcSubnetRange: '172.20.0.0/20',
      workspaceIds: [ws],
    };
    const created = await s.api.post(`${base}/clusters`, sent);
    assert.equal(created.status, 200, created.text);
    assert.ok(!('isPrivateNetworkEgressEnabled' in created.body));
    for (const k of ['name', 'region', 'vpcSubnetRange', 'workspaceIds', 'cloudProvider', 'type'] as const) assert.deepEqual(created.body[k], sent[k], k);
    const id = created.body.id;
    const read = (await s.api.get(`${base}/clusters/${id}`)).body;
    assert.equal(read.id, id);
    // The same Workspace twice is refused on this surface.
    assertError(await s.api.post(`${base}/clusters`, { ...sent, name: 'dup', workspaceIds: [ws, ws] }), 400);
    const updated = await s.api.post(`${base}/clusters/${id}`, { clusterType: 'DEDICATED', name: 'tf-cluster-2', k8sTags: [], workspaceIds: [] });
    assert.equal(updated.status, 200, updated.text);
    assert.equal(updated.body.name, 'tf-cluster-2');
    assert.ok(!('workspaceIds' in updated.body) || updated.body.workspaceIds.length === 0);
    // /v1 sees the same cluster, with the switch the older shape leaves out.
    const v1 = (await s.api.get(`/v1/organizations/${s.orgId}/clusters/${id}`)).body;
    assert.equal(v1.name, 'tf-cluster-2');
    assert.equal((await s.api.delete(`${base}/clusters/${id}`)).status, 204);
    assertError(await s.api.get(`${base}/clusters/${id}`), 404);
  });

  it('serves the option data sources the provider reads', async () => {
    const clusterOptions = await s.api.get(`${base}/cluster-options`, { provider: 'AWS', type: 'DEDICATED' });
    assert.equal(clusterOptions.status, 200, clusterOptions.text);
    assert.deepEqual(clusterOptions.body, (await s.api.get(`/v1/organizations/${s.orgId}/cluster-options`, { provider: 'AWS', type: 'DEDICATED' })).body);
    const deploymentOptions = await s.api.get(`${base}/deployment-options`);
    assert.equal(deploymentOptions.status, 200);
    assert.ok(deploymentOptions.body.runtimeReleases.length > 0);
  });
});
