import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startServer, type TestServer } from '../helpers/server.js';

/*
 * The older shapes leave out v1 settings their clients cannot change. A field such a body sends
 * anyway is ignored (as the older API ignores unknown fields), not applied by the v1 rules.
 */
describe('platform v1beta1: v1-only fields a body sends are ignored', () => {
  let s: TestServer;
  before(async () => { s = await startServer(); });
  after(async () => { await s.close(); });

  it('an Organization update cannot change hasAiFeaturesDisabled', async () => {
    const v1 = `/v1/organizations/${s.orgId}`;
    const before = (await s.api.get(v1)).body;
    const res = await s.api.post(`/platform/v1beta1/organizations/${s.orgId}`, {
      name: before.name, billingEmail: 'b@example.com', isScimEnabled: false, hasAiFeaturesDisabled: !before.hasAiFeaturesDisabled,
    });
    assert.equal(res.status, 200);
    assert.equal((await s.api.get(v1)).body.hasAiFeaturesDisabled, before.hasAiFeaturesDisabled);
  });

  it('a Workspace created or updated there has no default infrastructure from the body', async () => {
    const beta = `/platform/v1beta1/organizations/${s.orgId}/workspaces`;
    const defaults = { defaultCloudProvider: 'AWS', defaultRegion: 'us-east-1' };
    const created = await s.api.post(beta, { name: 'w', description: '', cicdEnforcedDefault: false, ...defaults });
    assert.equal(created.status, 200);
    const v1 = `/v1/organizations/${s.orgId}/workspaces/${created.body.id}`;
    const read = (await s.api.get(v1)).body;
    assert.ok(!('defaultCloudProvider' in read) && !('defaultRegion' in read), JSON.stringify(read));
    assert.equal((await s.api.post(`${beta}/${created.body.id}`, { name: 'w2', description: '', cicdEnforcedDefault: false, ...defaults })).status, 200);
    const updated = (await s.api.get(v1)).body;
    assert.equal(updated.name, 'w2');
    assert.ok(!('defaultCloudProvider' in updated) && !('defaultRegion' in updated), JSON.stringify(updated));
  });

  it('a cluster created there has no private-network egress, whatever the body says', async () => {
    const ws = (await s.api.post(`/platform/v1beta1/organizations/${s.orgId}/workspaces`, { name: 'c', description: '', cicdEnforcedDefault: false })).body.id;
    const res = await s.api.post(`/platform/v1beta1/organizations/${s.orgId}/clusters`, {
      cloudProvider: 'AWS', name: 'ded', region: 'us-east-1', type: 'DEDICATED', vpcSubnetRange: '172.20.0.0/20', workspaceIds: [ws],
      isPrivateNetworkEgressEnabled: true,
    });
    assert.equal(res.status, 200);
    const v1 = (await s.api.get(`/v1/organizations/${s.orgId}/clusters/${res.body.id}`)).body;
    assert.notEqual(v1.isPrivateNetworkEgressEnabled, true);
  });
});
