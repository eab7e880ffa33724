import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { startServer, type TestServer } from './helpers/server.js';

type Json = Record<string, any>;

/** Text that does not compress, so PostgreSQL cannot squeeze it under its index entry limit. */
const noise = (length: number) => randomBytes(length).toString('base64url').slice(0, length);

/**
 * Values the API sets no length limit on are stored whole on both stores (PostgreSQL used to
 * refuse a long cluster name with a 500: its btree entries are limited to ~2.7 kB).
 */
describe('long values are stored the same on both stores', () => {
  let s: TestServer;
  let base: string;
  before(async () => {
    s = await startServer();
    base = `/v1/organizations/${s.orgId}/clusters`;
  });
  after(async () => { await s.close(); });

  it('stores, finds and sorts a cluster with a 10,000-character name', async () => {
    // Starts with z so that it sorts after "short" under any collation.
    const name = `z${noise(9_999)}`;
    const created = await s.api.post(base, { cloudProvider: 'AWS', type: 'DEDICATED', name, region: 'us-east-1', vpcSubnetRange: '172.20.0.0/20' });
    assert.equal(created.status, 200, created.text.slice(0, 300));
    assert.equal(created.body.name, name);
    const other = await s.api.post(base, { cloudProvider: 'AWS', type: 'DEDICATED', name: 'short', region: 'us-east-1', vpcSubnetRange: '172.20.0.0/20' });
    assert.equal(other.status, 200);

    assert.equal((await s.api.get(`${base}/${created.body.id}`)).body.name, name);
    const filtered = await s.api.get(base, { names: [name] });
    assert.deepEqual(filtered.body.clusters.map((c: Json) => c.id), [created.body.id]);
    const sorted = await s.api.get(base, { sorts: ['name:desc'] });
    assert.deepEqual(sorted.body.clusters.map((c: Json) => c.name), [name, 'short']);

    // A renamed cluster and a long node pool name.
    const renamed = noise(20_000);
    const pool = noise(5_000);
    const updated = await s.api.post(`${base}/${created.body.id}`, {
      clusterType: 'DEDICATED', name: renamed, k8sTags: [{ key: noise(3_000), value: noise(3_000) }],
      nodePools: [{ name: pool, nodeInstanceType: 'm5.xlarge', maxNodeCount: 2, isDefault: true }],
    });
    assert.equal(updated.status, 200, updated.text.slice(0, 300));
    assert.equal(updated.body.name, renamed);
    assert.deepEqual(updated.body.nodePools.map((p: Json) => p.name), [pool]);
  });

  it('stores a 100,000-character workspace description', async () => {
    const description = noise(100_000);
    const ws = await s.api.post(`/v1/organizations/${s.orgId}/workspaces`, { name: 'long', description });
    assert.equal(ws.status, 200);
    assert.equal((await s.api.get(`/v1/organizations/${s.orgId}/workspaces/${ws.body.id}`)).body.description, description);
  });
});
