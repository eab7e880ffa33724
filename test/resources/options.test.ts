import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertError } from '../helpers/client.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { createOrganizationWithOwner } from '../../src/bootstrap.js';

describe('options', () => {
  let s: TestServer;
  let clusterOpts: string;
  let deployOpts: string;
  before(async () => {
    s = await startServer();
    clusterOpts = `/v1/organizations/${s.orgId}/cluster-options`;
    deployOpts = `/v1/organizations/${s.orgId}/deployment-options`;
  });
  after(async () => { await s.close(); });

  it('lists cluster options for every provider as a bare array', async () => {
    const res = await s.api.get(clusterOpts, { type: 'DEDICATED' });
    assert.equal(res.status, 200);
    assert.ok(Array.isArray(res.body));
    assert.deepEqual(res.body.map((o: { provider: string }) => o.provider), ['AWS', 'AZURE', 'GCP']);
    for (const o of res.body) {
      assert.ok(o.regions.length > 0);
      assert.ok(o.regions.some((r: { name: string }) => r.name === o.defaultRegion.name), 'default region is offered');
      assert.ok(o.nodeInstances.some((i: { name: string }) => i.name === o.defaultNodeInstance.name));
      assert.ok(o.databaseInstances.some((i: { name: string }) => i.name === o.defaultDatabaseInstance.name));
      assert.ok(o.nodeCountMin <= o.nodeCountDefault && o.nodeCountDefault <= o.nodeCountMax);
      assert.match(o.defaultVpcSubnetRange, /^\d+\.\d+\.\d+\.\d+\/\d+$/);
    }
    const gcp = res.body.find((o: { provider: string }) => o.provider === 'GCP');
    assert.ok(gcp.defaultPodSubnetRange && gcp.defaultServiceSubnetRange && gcp.defaultServicePeeringRange);
    const aws = res.body.find((o: { provider: string }) => o.provider === 'AWS');
    assert.ok(!('defaultPodSubnetRange' in aws));
  });

  it('filters by provider and offers more AWS regions to hybrid clusters', async () => {
    const ded = await s.api.get(clusterOpts, { type: 'DEDICATED', provider: 'AWS' });
    const hyb = await s.api.get(clusterOpts, { type: 'HYBRID', provider: 'AWS' });
    assert.equal(ded.body.length, 1);
    assert.equal(hyb.body.length, 1);
    const names = (o: { regions: { name: string }[] }) => o.regions.map((r) => r.name);
    assert.ok(names(hyb.body[0]).includes('ca-central-1'));
    assert.ok(!names(ded.body[0]).includes('ca-central-1'));
    assert.equal(hyb.body[0].regions.find((r: { name: string }) => r.name === 'us-east-1').location, 'US');
  });

  it('validates cluster options parameters', async () => {
    assertError(await s.api.get(clusterOpts), 400, 'type', 'required');
    assertError(await s.api.get(clusterOpts, { type: 'STANDARD' }), 400, 'type', 'oneof');
    assertError(await s.api.get(clusterOpts, { type: 'DEDICATED', provider: 'IBM' }), 400, 'provider', 'oneof');
    assertError(await s.as(undefined).get(clusterOpts, { type: 'DEDICATED' }), 401);
    const other = await createOrganizationWithOwner(s.app, { name: 'Other' });
    assertError(await s.api.get(`/v1/organizations/${other.organizationId}/cluster-options`, { type: 'DEDICATED' }), 403);
  });

  it('serves deployment options with runtime releases newest first', async () => {
    const res = await s.api.get(deployOpts);
    assert.equal(res.status, 200);
    const o = res.body;
    assert.deepEqual(o.executors, ['CELERY', 'KUBERNETES', 'ASTRO']);
    assert.ok(o.runtimeReleases.length > 3);
    const dates = o.runtimeReleases.filter((r: { version: string }) => /-/.test(r.version)).map((r: { releaseDate: string }) => r.releaseDate);
    assert.deepEqual(dates, [...dates].sort().reverse(), 'Airflow 3 releases newest first');
    assert.match(o.runtimeReleases[0].version, /^\d+\.\d+-\d+$/, 'the newest release is an Airflow 3 runtime');
    assert.deepEqual(o.schedulerMachines.map((m: { name: string }) => m.name), ['SMALL', 'MEDIUM', 'LARGE', 'EXTRA_LARGE']);
    const a5 = o.workerMachines.find((m: { name: string }) => m.name === 'A5');
    assert.deepEqual(a5.concurrency, { floor: 1, default: 5, ceiling: 15 });
    assert.equal(a5.spec.cpu, '1');
    assert.equal(a5.spec.memory, '2Gi');
    assert.deepEqual(o.resourceQuotas.defaultPodSize.cpu.default, '0.25');
    assert.deepEqual(o.resourceQuotas.resourceQuota.memory.default, '20Gi');
    assert.ok(!('workloadIdentityOptions' in o));
  });

  it('narrows deployment options by type and executor', async () => {
    const hybrid = await s.api.get(deployOpts, { deploymentType: 'HYBRID' });
    assert.deepEqual(hybrid.body.executors, ['CELERY', 'KUBERNETES']);
    assert.deepEqual(hybrid.body.workerMachines, []);
    assert.equal(hybrid.body.workerQueues.workerConcurrency.ceiling, 64);
    const astro = await s.api.get(deployOpts, { executor: 'ASTRO', deploymentType: 'STANDARD', cloudProvider: 'AWS' });
    assert.ok(astro.body.runtimeReleases.every((r: { version: string }) => /^\d+\.\d+-\d+$/.test(r.version)));
    // Terraform sends an empty cloudProvider: treated as absent.
    assert.equal((await s.api.get(deployOpts, { deploymentType: 'DEDICATED', executor: 'CELERY', cloudProvider: '' })).status, 200);
    assertError(await s.api.get(deployOpts, { deploymentType: 'HYBRID', executor: 'ASTRO' }), 400, 'executor');
    assertError(await s.api.get(deployOpts, { executor: 'LOCAL' }), 400, 'executor', 'oneof');
    assertError(await s.api.get(deployOpts, { deploymentId: `c${'4'.repeat(24)}` }), 400, 'deploymentId');
    assertError(await s.as(undefined).get(deployOpts), 401);
  });
});
