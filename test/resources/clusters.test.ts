import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { assertError, CUID, RFC3339 } from '../helpers/client.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { createOrganizationWithOwner } from '../../src/bootstrap.js';
import { registerHybridCluster } from '../../src/resources/clusters/service.js';
import { updateOrganization } from '../../src/resources/organizations/repo.js';

const AWS = { cloudProvider: 'AWS', type: 'DEDICATED', name: 'aws-cluster', region: 'us-east-1', vpcSubnetRange: '172.20.0.0/20' };
const AZURE = { cloudProvider: 'AZURE', type: 'DEDICATED', name: 'azure-cluster', region: 'eastus2', vpcSubnetRange: '172.20.0.0/19' };
const GCP = {
  cloudProvider: 'GCP', type: 'DEDICATED', name: 'gcp-cluster', region: 'us-central1', vpcSubnetRange: '172.20.0.0/22',
  podSubnetRange: '100.64.0.0/16', serviceSubnetRange: '100.65.0.0/22', servicePeeringRange: '100.66.0.0/21',
};

type Json = Record<string, any>;

/** No API changes the plan; the repository does, so servers drop their cached copy of it. */
async function setPlan(s: TestServer, organizationId: string, plan: string): Promise<void> {
  await updateOrganization(s.app.db, organizationId, { product_plan_name: plan });
}

/** The body of a dedicated update that changes nothing but what `extra` says. */
function dedicatedUpdate(cluster: Json, extra: Json = {}): Json {
  return { clusterType: 'DEDICATED', name: cluster.name, k8sTags: cluster.tags ?? [], ...extra };
}

describe('clusters', () => {
  let s: TestServer;
  let base: string;
  before(async () => {
    s = await startServer();
    base = `/v1/organizations/${s.orgId}/clusters`;
  });
  after(async () => { await s.close(); });

  it('creates an AWS cluster with defaults filled in, CREATED on the first read', async () => {
    const res = await s.api.post(base, AWS);
    assert.equal(res.status, 200);
    const c = res.body;
    assert.match(c.id, CUID);
    assert.equal(c.organizationId, s.orgId);
    assert.equal(c.name, 'aws-cluster');
    assert.equal(c.type, 'DEDICATED');
    assert.equal(c.cloudProvider, 'AWS');
    assert.equal(c.region, 'us-east-1');
    assert.equal(c.vpcSubnetRange, '172.20.0.0/20');
    assert.equal(c.dbInstanceType, 'db.m6g.large');
    assert.equal(c.status, 'CREATED');
    assert.deepEqual(c.healthStatus, { value: 'HEALTHY' });
    assert.equal(c.isDrEnabled, false);
    assert.equal(c.drRegion, '');
    assert.equal(c.isFailedOver, false);
    assert.equal(c.failoverInProgress, false);
    assert.equal(c.isLimited, false);
    assert.equal(c.isPrivateNetworkEgressEnabled, false);
    assert.match(c.createdAt, RFC3339);
    assert.equal(c.createdAt, c.updatedAt);
    for (const absent of ['workspaceIds', 'tags', 'podSubnetRange', 'secondaryVpcCidr', 'drVpcSubnetRange', 'tenantId', 'providerAccount', 'createdBy']) {
      assert.ok(!(absent in c), `${absent} is left out`);
    }
    assert.equal(c.nodePools.length, 1);
    const pool = c.nodePools[0];
    assert.match(pool.id, CUID);
    assert.equal(pool.clusterId, c.id);
    assert.equal(pool.cloudProvider, 'AWS');
    assert.equal(pool.name, 'default');
    assert.equal(pool.isDefault, true);
    assert.equal(pool.nodeInstanceType, 'm5.xlarge');
    assert.equal(pool.maxNodeCount, 20);
    assert.deepEqual(pool.supportedAstroMachines, ['A5', 'A10', 'A20']);
    assert.equal(c.metadata.externalIPs.length, 2);
    for (const ip of c.metadata.externalIPs) assert.match(ip, /^203\.0\.113\.\d+$/);
    assert.notEqual(c.metadata.externalIPs[0], c.metadata.externalIPs[1]);
    assert.equal(c.metadata.kubeDnsIp, '10.100.0.10');
    assert.match(c.metadata.oidcIssuerUrl, /^https:\/\/oidc\.eks\.us-east-1\.amazonaws\.com\.invalid\/id\/[0-9A-F]{32}$/);

    const read = await s.api.get(`${base}/${c.id}`);
    assert.equal(read.status, 200);
    assert.deepEqual(read.body, c);
  });

  it('creates an Azure cluster with its own pools, tags, workspaces and tenant', async () => {
    const ws = (await s.api.post(`/v1/organizations/${s.orgId}/workspaces`, { name: 'azure-ws' })).body;
    const res = await s.api.post(base, {
      ...AZURE,
      tenantId: '82ab587e-33f8-47a2-8909-b9269551d45c',
      providerAccount: 'acct-1',
      dbInstanceType: 'Standard_D8ds_v4',
      k8sTags: [{ key: 'team', value: 'data' }],
      workspaceIds: [ws.id, ws.id],
      nodePools: [
        { name: 'small', nodeInstanceType: 'Standard_D4d_v5', maxNodeCount: 5 },
        { name: 'big', nodeInstanceType: 'Standard_D16d_v5', maxNodeCount: 10 },
      ],
    });
    assert.equal(res.status, 200);
    const c = res.body;
    assert.equal(c.tenantId, '82ab587e-33f8-47a2-8909-b9269551d45c');
    assert.equal(c.providerAccount, 'acct-1');
    assert.equal(c.dbInstanceType, 'Standard_D8ds_v4');
    assert.deepEqual(c.tags, [{ key: 'team', value: 'data' }]);
    assert.deepEqual(c.workspaceIds, [ws.id]);
    assert.ok(!('isPrivateNetworkEgressEnabled' in c), 'an AWS-only field');
    assert.deepEqual(c.nodePools.map((p: Json) => [p.name, p.isDefault, p.maxNodeCount]), [['small', true, 5], ['big', false, 10]]);
    assert.deepEqual(c.nodePools[1].supportedAstroMachines, ['A5', 'A10', 'A20', 'A40', 'A60']);
    assert.match(c.metadata.oidcIssuerUrl, /^https:\/\/eastus2\.oic\.prod-aks\.azure\.com\.invalid\/82ab587e-33f8-47a2-8909-b9269551d45c\/[0-9a-f-]{36}\/$/);
  });

  it('creates a GCP cluster with its pod and service ranges', async () => {
    const res = await s.api.post(base, { ...GCP, nodePools: [{ name: 'a', nodeInstanceType: 'e2-standard-8', maxNodeCount: 2 }, { name: 'b', nodeInstanceType: 'e2-standard-4', maxNodeCount: 100, isDefault: true }] });
    assert.equal(res.status, 200);
    const c = res.body;
    assert.equal(c.podSubnetRange, '100.64.0.0/16');
    assert.equal(c.serviceSubnetRange, '100.65.0.0/22');
    assert.equal(c.servicePeeringRange, '100.66.0.0/21');
    assert.equal(c.dbInstanceType, 'Small General Purpose');
    assert.equal(c.metadata.kubeDnsIp, '100.65.0.10');
    assert.match(c.metadata.oidcIssuerUrl, new RegExp(`^https://container\\.googleapis\\.com\\.invalid/v1/projects/[a-z0-9-]+/locations/us-central1/clusters/astro-${c.id}$`));
    assert.deepEqual(c.nodePools.map((p: Json) => [p.name, p.isDefault]), [['a', false], ['b', true]]);
    assert.equal((await s.api.get(`${base}/${c.id}`)).body.status, 'CREATED');
  });

  it('validates the create body', async () => {
    assertError(await s.api.post(base, { name: 'x' }), 400, 'cloudProvider', 'required');
    assertError(await s.api.post(base, { ...AWS, cloudProvider: 'IBM' }), 400, 'cloudProvider', 'oneof');
    assertError(await s.api.post(base, { ...AWS, name: undefined }), 400, 'name', 'required');
    assertError(await s.api.post(base, { ...AWS, name: '  ' }), 400, 'name', 'required');
    assertError(await s.api.post(base, { ...AWS, type: 'HYBRID' }), 400, 'type', 'oneof');
    assertError(await s.api.post(base, { ...AWS, type: 'STANDARD' }), 400, 'type', 'oneof');
    assertError(await s.api.post(base, { ...AWS, region: 'westus2' }), 400, 'region', 'oneof');
    assertError(await s.api.post(base, { ...AWS, region: 'af-south-1' }), 400, 'region', 'oneof'); // hybrid-only region
    assertError(await s.api.post(base, { ...AWS, vpcSubnetRange: '172.20.0.0' }), 400, 'vpcSubnetRange', 'cidrv4');
    assertError(await s.api.post(base, { ...AWS, vpcSubnetRange: '300.20.0.0/20' }), 400, 'vpcSubnetRange', 'cidrv4');
    assertError(await s.api.post(base, { ...AWS, vpcSubnetRange: '172.20.0.0/33' }), 400, 'vpcSubnetRange', 'cidrv4');
    assertError(await s.api.post(base, { ...AWS, secondaryVpcCidr: '172.20.8.0/20' }), 400, 'secondaryVpcCidr', 'overlap');
    assertError(await s.api.post(base, { ...AWS, secondaryVpcCidr: '100.64.0.0/24' }), 400, 'secondaryVpcCidr', 'cidr_prefix');
    assertError(await s.api.post(base, { ...AWS, secondaryVpcCidr: '100.0.0.0/8' }), 400, 'secondaryVpcCidr', 'cidr_prefix');
    assertError(await s.api.post(base, { ...GCP, podSubnetRange: undefined }), 400, 'podSubnetRange', 'required');
    assertError(await s.api.post(base, { ...GCP, serviceSubnetRange: '100.64.1.0/24' }), 400, 'serviceSubnetRange', 'overlap');
    assertError(await s.api.post(base, { ...GCP, servicePeeringRange: 'x' }), 400, 'servicePeeringRange', 'cidrv4');
    assertError(await s.api.post(base, { ...AWS, dbInstanceType: 'Small General Purpose' }), 400, 'dbInstanceType', 'oneof');
    assertError(await s.api.post(base, { ...AWS, nodePools: [{ name: 'p', nodeInstanceType: 'e2-standard-4', maxNodeCount: 5 }] }), 400, 'nodePools[0].nodeInstanceType', 'oneof');
    assertError(await s.api.post(base, { ...AWS, nodePools: [{ name: 'p', nodeInstanceType: 'm5.xlarge', maxNodeCount: 1 }] }), 400, 'nodePools[0].maxNodeCount', 'min');
    assertError(await s.api.post(base, { ...AWS, nodePools: [{ name: 'p', nodeInstanceType: 'm5.xlarge', maxNodeCount: 101 }] }), 400, 'nodePools[0].maxNodeCount', 'max');
    assertError(await s.api.post(base, { ...AWS, nodePools: [{ name: 'p', nodeInstanceType: 'm5.xlarge' }] }), 400, 'nodePools[0].maxNodeCount', 'required');
    assertError(await s.api.post(base, { ...AWS, nodePools: [{ name: 'p', nodeInstanceType: 'm5.xlarge', maxNodeCount: 5 }, { name: 'p', nodeInstanceType: 'm5.xlarge', maxNodeCount: 5 }] }), 400, 'nodePools[1].name', 'unique');
    assertError(await s.api.post(base, {
      ...AWS,
      nodePools: [{ name: 'a', nodeInstanceType: 'm5.xlarge', maxNodeCount: 5, isDefault: true }, { name: 'b', nodeInstanceType: 'm5.xlarge', maxNodeCount: 5, isDefault: true }],
    }), 400, 'nodePools', 'default');
    assertError(await s.api.post(base, { ...AWS, workspaceIds: [`c${'4'.repeat(24)}`] }), 400, 'workspaceIds', 'exists');
    const other = await createOrganizationWithOwner(s.app, { name: 'Elsewhere' });
    const theirWs = await s.as(other.token).post(`/v1/organizations/${other.organizationId}/workspaces`, { name: 'theirs' });
    assertError(await s.api.post(base, { ...AWS, workspaceIds: [theirWs.body.id] }), 400, 'workspaceIds', 'exists');
    assertError(await s.api.post(base, { ...AWS, k8sTags: 'team=data' }), 400, 'k8sTags', 'type');
    // Nothing was created by any of these.
    assert.equal((await s.api.get(base, { names: ['aws-cluster'] })).body.totalCount, 1);
  });

  it('sets up disaster recovery at creation, with ranges copied from the primary ones', async () => {
    const aws = await s.api.post(base, { ...AWS, name: 'dr-aws', secondaryVpcCidr: '100.64.0.0/19', drRegion: 'us-west-2', enableReplicationTimeControl: true });
    assert.equal(aws.status, 200);
    assert.equal(aws.body.isDrEnabled, true);
    assert.equal(aws.body.drRegion, 'us-west-2');
    assert.equal(aws.body.drVpcSubnetRange, '172.20.0.0/20');
    assert.equal(aws.body.secondaryVpcCidr, '100.64.0.0/19');
    assert.equal(aws.body.drSecondaryVpcCidr, '100.64.0.0/19');
    assert.equal(aws.body.enableReplicationTimeControl, true);
    assert.equal(aws.body.isFailedOver, false);

    const gcp = await s.api.post(base, { ...GCP, name: 'dr-gcp', drRegion: 'us-east4', drVpcSubnetRange: '172.30.0.0/22', drPodSubnetRange: '100.80.0.0/16' });
    assert.equal(gcp.status, 200);
    assert.equal(gcp.body.drVpcSubnetRange, '172.30.0.0/22');
    assert.equal(gcp.body.drPodSubnetRange, '100.80.0.0/16');
    assert.equal(gcp.body.drServiceSubnetRange, '100.65.0.0/22');
    assert.equal(gcp.body.drServicePeeringRange, '100.66.0.0/21');

    assertError(await s.api.post(base, { ...AWS, drRegion: 'eu-west-1' }), 400, 'drRegion', 'location');
    assertError(await s.api.post(base, { ...AWS, drRegion: 'us-east-1' }), 400, 'drRegion', 'nefield');
    assertError(await s.api.post(base, { ...AWS, drRegion: 'eastus2' }), 400, 'drRegion', 'oneof');
    assertError(await s.api.post(base, { ...AWS, drVpcSubnetRange: '172.30.0.0/20' }), 400, 'drRegion', 'required_with');
    assertError(await s.api.post(base, { ...AWS, drRegion: 'us-west-2', drVpcSubnetRange: 'nope' }), 400, 'drVpcSubnetRange', 'cidrv4');
    assertError(await s.api.post(base, { ...GCP, drRegion: 'us-east4', drPodSubnetRange: '172.20.0.0/16' }), 400, 'drPodSubnetRange', 'overlap');
  });

  it('answers 412 for disaster recovery when the organization is not on the Enterprise Business Critical plan', async () => {
    await setPlan(s, s.orgId, 'ENTERPRISE');
    try {
      const res = await s.api.post(base, { ...AWS, name: 'dr-412', drRegion: 'us-west-2' });
      assertError(res, 412);
      assert.match(res.body.message, /ENTERPRISE_BUSINESS_CRITICAL/);
      assert.equal((await s.api.get(base, { names: ['dr-412'] })).body.totalCount, 0);
      // Without DR the same plan is fine.
      assert.equal((await s.api.post(base, { ...AWS, name: 'no-dr-ok' })).status, 200);
    } finally {
      await setPlan(s, s.orgId, 'ENTERPRISE_BUSINESS_CRITICAL');
    }
  });

  it('updates a dedicated cluster: name, tags, node pools replaced and workspaces', async () => {
    const ws1 = (await s.api.post(`/v1/organizations/${s.orgId}/workspaces`, { name: 'w1' })).body;
    const ws2 = (await s.api.post(`/v1/organizations/${s.orgId}/workspaces`, { name: 'w2' })).body;
    const c = (await s.api.post(base, { ...AWS, name: 'to-update', workspaceIds: [ws1.id] })).body;
    const defaultPool = c.nodePools[0];
    s.clock.advance(60);
    const res = await s.api.post(`${base}/${c.id}`, {
      clusterType: 'DEDICATED',
      name: 'updated',
      k8sTags: [{ key: 'env', value: 'prod' }],
      dbInstanceType: 'db.m6g.xlarge',
      nodePools: [
        { id: defaultPool.id, name: 'default', nodeInstanceType: 'm5.xlarge', maxNodeCount: 30, isDefault: true },
        { name: 'extra', nodeInstanceType: 'm5.2xlarge', maxNodeCount: 4 },
      ],
    });
    assert.equal(res.status, 200);
    const u = res.body;
    assert.equal(u.name, 'updated');
    assert.deepEqual(u.tags, [{ key: 'env', value: 'prod' }]);
    assert.equal(u.dbInstanceType, 'db.m6g.xlarge');
    assert.equal(u.createdAt, c.createdAt);
    assert.notEqual(u.updatedAt, c.updatedAt);
    assert.deepEqual(u.workspaceIds, [ws1.id], 'workspaceIds left out keep their value');
    assert.equal(u.status, 'CREATED');
    assert.equal(u.nodePools.length, 2);
    const kept = u.nodePools.find((p: Json) => p.id === defaultPool.id);
    assert.equal(kept.maxNodeCount, 30);
    assert.equal(kept.createdAt, defaultPool.createdAt);
    assert.notEqual(kept.updatedAt, defaultPool.updatedAt);
    const extra = u.nodePools.find((p: Json) => p.name === 'extra');
    assert.match(extra.id, CUID);
    assert.equal(extra.isDefault, false);
    assert.deepEqual(extra.supportedAstroMachines, ['A5', 'A10', 'A20', 'A40']);

    // A set without the first pool drops it.
    const replaced = await s.api.post(`${base}/${c.id}`, dedicatedUpdate(u, { nodePools: [{ id: extra.id, name: 'extra', nodeInstanceType: 'm5.2xlarge', maxNodeCount: 4, isDefault: true }], workspaceIds: [ws2.id] }));
    assert.equal(replaced.status, 200);
    assert.deepEqual(replaced.body.nodePools.map((p: Json) => [p.id, p.isDefault]), [[extra.id, true]]);
    assert.deepEqual(replaced.body.workspaceIds, [ws2.id]);
    assert.deepEqual(replaced.body.tags, [{ key: 'env', value: 'prod' }]);
    const cleared = await s.api.post(`${base}/${c.id}`, dedicatedUpdate(u, { k8sTags: [], workspaceIds: [] }));
    assert.ok(!('workspaceIds' in cleared.body), 'an empty list removes every workspace');
    assert.ok(!('tags' in cleared.body));
    assert.deepEqual((await s.api.get(`${base}/${c.id}`)).body, cleared.body);

    const path = `${base}/${c.id}`;
    assertError(await s.api.post(path, { name: 'x', k8sTags: [] }), 400, 'clusterType', 'required');
    assertError(await s.api.post(path, { clusterType: 'STANDARD', name: 'x', k8sTags: [] }), 400, 'clusterType', 'oneof');
    assertError(await s.api.post(path, { clusterType: 'HYBRID', workspaceIds: [] }), 400, 'clusterType', 'oneof');
    assertError(await s.api.post(path, { clusterType: 'DEDICATED', name: 'x' }), 400, 'k8sTags', 'required');
    assertError(await s.api.post(path, { clusterType: 'DEDICATED', k8sTags: [] }), 400, 'name', 'required');
    assertError(await s.api.post(path, dedicatedUpdate(u, { nodePools: [{ id: `c${'5'.repeat(24)}`, name: 'n', nodeInstanceType: 'm5.xlarge', maxNodeCount: 4 }] })), 400, 'nodePools[0].id', 'exists');
    assertError(await s.api.post(path, dedicatedUpdate(u, { nodePools: [] })), 400, 'nodePools', 'min');
    assertError(await s.api.post(path, dedicatedUpdate(u, { nodePools: [{ name: 'n', nodeInstanceType: 'r9.huge', maxNodeCount: 4 }] })), 400, 'nodePools[0].nodeInstanceType', 'oneof');
    assertError(await s.api.post(path, dedicatedUpdate(u, { dbInstanceType: 'db.nope' })), 400, 'dbInstanceType', 'oneof');
    assertError(await s.api.post(path, dedicatedUpdate(u, { workspaceIds: [`c${'6'.repeat(24)}`] })), 400, 'workspaceIds', 'exists');
    assertError(await s.api.post(`${base}/c${'7'.repeat(24)}`, dedicatedUpdate(u)), 404);
    // A failed update changed nothing.
    assert.deepEqual((await s.api.get(path)).body, cleared.body);
  });

  it('turns disaster recovery off, fails over and back, and guards the DR rules on update', async () => {
    const c = (await s.api.post(base, { ...AWS, name: 'dr-update', drRegion: 'us-west-2' })).body;
    const path = `${base}/${c.id}`;
    assertError(await s.api.post(path, dedicatedUpdate(c, { drRegion: 'us-east-2' })), 400, 'drRegion', 'immutable');
    assertError(await s.api.post(path, dedicatedUpdate(c, { drVpcSubnetRange: '172.31.0.0/20' })), 400, 'drVpcSubnetRange', 'immutable');
    // Sending the current values back is fine (Terraform does).
    assert.equal((await s.api.post(path, dedicatedUpdate(c, { drRegion: 'us-west-2', drVpcSubnetRange: '172.20.0.0/20', isFailedOver: false }))).status, 200);

    const over = await s.api.post(path, dedicatedUpdate(c, { isFailedOver: true }));
    assert.equal(over.status, 200);
    assert.equal(over.body.isFailedOver, true);
    assert.equal(over.body.failoverInProgress, false);
    assert.equal(over.body.status, 'CREATED');
    assertError(await s.api.post(path, dedicatedUpdate(c, { enableDr: false })), 400, 'enableDr');
    const back = await s.api.post(path, dedicatedUpdate(c, { isFailedOver: false }));
    assert.equal(back.body.isFailedOver, false);

    const off = await s.api.post(path, dedicatedUpdate(c, { enableDr: false }));
    assert.equal(off.status, 200);
    assert.equal(off.body.isDrEnabled, false);
    assert.equal(off.body.drRegion, '');
    assert.ok(!('drVpcSubnetRange' in off.body));
    assert.ok(!('drSecondaryVpcCidr' in off.body));
    assertError(await s.api.post(path, dedicatedUpdate(c, { isFailedOver: true })), 400, 'isFailedOver');
    assertError(await s.api.post(path, dedicatedUpdate(c, { enableDr: true, drRegion: 'us-west-2' })), 400, 'enableDr', 'oneof');

    // Azure may turn DR on later, with a drRegion, on the right plan.
    const az = (await s.api.post(base, { ...AZURE, name: 'az-dr' })).body;
    const azPath = `${base}/${az.id}`;
    assertError(await s.api.post(azPath, dedicatedUpdate(az, { enableDr: true })), 400, 'drRegion', 'required_with');
    assertError(await s.api.post(azPath, dedicatedUpdate(az, { enableDr: true, drRegion: 'westeurope' })), 400, 'drRegion', 'location');
    await setPlan(s, s.orgId, 'BUSINESS');
    try {
      assertError(await s.api.post(azPath, dedicatedUpdate(az, { enableDr: true, drRegion: 'westus2' })), 412);
    } finally {
      await setPlan(s, s.orgId, 'ENTERPRISE_BUSINESS_CRITICAL');
    }
    const on = await s.api.post(azPath, dedicatedUpdate(az, { enableDr: true, drRegion: 'westus2' }));
    assert.equal(on.status, 200);
    assert.equal(on.body.isDrEnabled, true);
    assert.equal(on.body.drRegion, 'westus2');
    assert.equal(on.body.drVpcSubnetRange, '172.20.0.0/19');
  });

  it('updates the workspaces of a hybrid cluster registered by the operator', async () => {
    const ws = (await s.api.post(`/v1/organizations/${s.orgId}/workspaces`, { name: 'hyb-ws' })).body;
    const registered = await registerHybridCluster(s.app, { organizationId: s.orgId, name: 'hybrid-1', cloudProvider: 'AWS', region: 'af-south-1', providerAccount: '123456789012' });
    assert.equal(registered.type, 'HYBRID');
    const path = `${base}/${registered.id}`;
    const read = await s.api.get(path);
    assert.equal(read.status, 200);
    assert.equal(read.body.status, 'CREATED');
    assert.equal(read.body.providerAccount, '123456789012');
    assert.equal(read.body.nodePools.length, 1);
    assert.ok(!('supportedAstroMachines' in read.body.nodePools[0]), 'hosted dedicated clusters only');

    const auth = await s.api.post(path, { clusterType: 'HYBRID', workspaceIds: [ws.id] });
    assert.equal(auth.status, 200);
    assert.deepEqual(auth.body.workspaceIds, [ws.id]);
    assert.equal(auth.body.name, 'hybrid-1');
    const keep = await s.api.post(path, { clusterType: 'HYBRID' });
    assert.deepEqual(keep.body.workspaceIds, [ws.id]);
    const none = await s.api.post(path, { clusterType: 'HYBRID', workspaceIds: [] });
    assert.ok(!('workspaceIds' in none.body));
    assertError(await s.api.post(path, { clusterType: 'DEDICATED', name: 'x', k8sTags: [] }), 400, 'clusterType', 'oneof');
    assertError(await s.api.post(path, { clusterType: 'HYBRID', workspaceIds: ['nope'] }), 400, 'workspaceIds', 'exists');
  });

  it('lists with filters, sorting and pagination edges', async () => {
    const other = await createOrganizationWithOwner(s.app, { name: 'Lister' });
    const theirs = await s.as(other.token).post(`/v1/organizations/${other.organizationId}/clusters`, { ...AWS, name: 'alpha-list' });
    assert.equal(theirs.status, 200);
    for (const name of ['zeta-list', 'alpha-list', 'mid-list']) assert.equal((await s.api.post(base, { ...GCP, name })).status, 200);

    const all = await s.api.get(base, { limit: 1000 });
    assert.equal(all.status, 200);
    const total = all.body.totalCount;
    assert.equal(all.body.clusters.length, total);
    assert.ok(all.body.clusters.every((c: Json) => c.organizationId === s.orgId), 'another organization\'s clusters are not listed');
    assert.equal(all.body.limit, 1000);

    const byName = await s.api.get(base, { names: ['alpha-list', 'mid-list', 'nope'], sorts: ['name:asc'] });
    assert.deepEqual(byName.body.clusters.map((c: Json) => c.name), ['alpha-list', 'mid-list']);
    assert.equal(byName.body.totalCount, 2);
    const gcpOnly = await s.api.get(base, { provider: 'GCP', limit: 1000 });
    assert.ok(gcpOnly.body.clusters.length >= 3);
    assert.ok(gcpOnly.body.clusters.every((c: Json) => c.cloudProvider === 'GCP'));
    const awsOnly = await s.api.get(base, { provider: 'AWS', limit: 1000 });
    assert.equal(awsOnly.body.totalCount + gcpOnly.body.totalCount + (await s.api.get(base, { provider: 'AZURE' })).body.totalCount, total);

    // Name order is checked on names that sort the same under any database collation.
    const mine = ['zeta-list', 'alpha-list', 'mid-list'];
    const asc = (await s.api.get(base, { names: mine, sorts: ['name:asc'] })).body.clusters.map((c: Json) => c.name);
    assert.deepEqual(asc, ['alpha-list', 'mid-list', 'zeta-list']);
    const desc = (await s.api.get(base, { names: mine, sorts: ['name:desc'] })).body.clusters.map((c: Json) => c.name);
    assert.deepEqual(desc, ['zeta-list', 'mid-list', 'alpha-list']);
    const created = (await s.api.get(base, { sorts: ['createdAt:desc', 'name:asc'], limit: 1000 })).body.clusters.map((c: Json) => c.createdAt);
    assert.deepEqual(created, [...created].sort().reverse());
    assert.equal((await s.api.get(base, { sorts: ['updatedAt:asc'] })).status, 200);

    const page = await s.api.get(base, { names: mine, sorts: ['name:asc'], limit: 2, offset: 1 });
    assert.deepEqual(page.body.clusters.map((c: Json) => c.name), ['mid-list', 'zeta-list']);
    assert.equal(page.body.offset, 1);
    assert.equal(page.body.limit, 2);
    assert.equal(page.body.totalCount, 3);
    const first = await s.api.get(base, { sorts: ['name:asc'], limit: 1 });
    assert.equal(first.body.clusters.length, 1);
    assert.equal(first.body.totalCount, total);
    const def = await s.api.get(base);
    assert.equal(def.body.limit, 20);
    assert.equal(def.body.offset, 0);
    const past = await s.api.get(base, { offset: 1000, limit: 1000 });
    assert.equal(past.status, 200);
    assert.deepEqual(past.body.clusters, []);
    assert.equal(past.body.totalCount, total);
    const zero = await s.api.get(base, { limit: 0 });
    assert.deepEqual(zero.body.clusters, []);
    assert.equal(zero.body.totalCount, total);
    assertError(await s.api.get(base, { limit: 1001 }), 400, 'limit', 'max');
    assertError(await s.api.get(base, { offset: -1 }), 400, 'offset', 'min');
    assertError(await s.api.get(base, { provider: 'IBM' }), 400, 'provider');
    assertError(await s.api.get(base, { sorts: ['region:asc'] }), 400);
  });

  it('deletes a cluster: 204, then 404, and workspaces no longer default to it', async () => {
    const c = (await s.api.post(base, { ...AWS, name: 'doomed' })).body;
    const ws = (await s.api.post(`/v1/organizations/${s.orgId}/workspaces`, { name: 'defaults-to-doomed', defaultClusterId: c.id })).body;
    assert.equal(ws.defaultClusterId, c.id);
    const del = await s.api.delete(`${base}/${c.id}`);
    assert.equal(del.status, 204);
    assert.equal(del.text, '');
    assertError(await s.api.get(`${base}/${c.id}`), 404);
    assertError(await s.api.delete(`${base}/${c.id}`), 404);
    assertError(await s.api.post(`${base}/${c.id}`, dedicatedUpdate(c)), 404);
    const after = await s.api.get(`/v1/organizations/${s.orgId}/workspaces/${ws.id}`);
    assert.equal(after.status, 200);
    assert.ok(!('defaultClusterId' in after.body));
    assert.equal((await s.api.get(base, { names: ['doomed'] })).body.totalCount, 0);
  });

  it('hides another organization\'s clusters behind the same 404 as a missing one', async () => {
    const other = await createOrganizationWithOwner(s.app, { name: 'Other Org' });
    const theirs = await s.as(other.token).post(`/v1/organizations/${other.organizationId}/clusters`, { ...AWS, name: 'foreign' });
    assert.equal(theirs.status, 200);
    const foreign = await s.api.get(`${base}/${theirs.body.id}`);
    const missing = await s.api.get(`${base}/c${'8'.repeat(24)}`);
    assertError(foreign, 404);
    assertError(missing, 404);
    assert.equal(foreign.body.message, missing.body.message);
    assertError(await s.api.post(`${base}/${theirs.body.id}`, dedicatedUpdate(theirs.body)), 404);
    assertError(await s.api.delete(`${base}/${theirs.body.id}`), 404);
    assert.equal((await s.as(other.token).get(`/v1/organizations/${other.organizationId}/clusters/${theirs.body.id}`)).body.name, 'foreign');
    assertError(await s.as(other.token).get(base), 403);
  });

  it('requires a token', async () => {
    assertError(await s.as(undefined).get(base), 401);
    assertError(await s.as(undefined).post(base, AWS), 401);
    assertError(await s.as(undefined).get(`${base}/c${'9'.repeat(24)}`), 401);
    assertError(await s.as(undefined).delete(`${base}/c${'9'.repeat(24)}`), 401);
  });
});

describe('clusters with a provisioning delay', () => {
  let s: TestServer;
  let base: string;
  before(async () => {
    s = await startServer({ ASTROLABE_PROVISION_SECONDS: '600' });
    base = `/v1/organizations/${s.orgId}/clusters`;
  });
  after(async () => { await s.close(); });

  it('stays CREATING, refuses changes with 409 meanwhile, then reads CREATED', async () => {
    const c = (await s.api.post(base, { ...AWS, name: 'slow' })).body;
    assert.equal(c.status, 'CREATING');
    assert.equal(c.healthStatus.value, 'UNKNOWN');
    const path = `${base}/${c.id}`;
    assert.equal((await s.api.get(path)).body.status, 'CREATING');
    assertError(await s.api.post(path, dedicatedUpdate(c, { name: 'renamed' })), 409);
    assertError(await s.api.delete(path), 409);
    s.clock.advance(599);
    assert.equal((await s.api.get(path)).body.status, 'CREATING');
    s.clock.advance(1);
    const done = (await s.api.get(path)).body;
    assert.equal(done.status, 'CREATED');
    assert.equal(done.healthStatus.value, 'HEALTHY');
    assert.equal(done.name, 'slow', 'the refused update changed nothing');

    const upd = await s.api.post(path, dedicatedUpdate(c, { name: 'renamed' }));
    assert.equal(upd.status, 200);
    assert.equal(upd.body.status, 'UPDATING');
    assert.equal(upd.body.name, 'renamed');
    assert.equal(upd.body.healthStatus.value, 'HEALTHY');
    assertError(await s.api.delete(path), 409);
    s.clock.advance(600);
    assert.equal((await s.api.get(path)).body.status, 'CREATED');
    assert.equal((await s.api.delete(path)).status, 204);
    assertError(await s.api.get(path), 404);
  });

  it('shows a failover in progress as FAILING_OVER until it completes', async () => {
    const c = (await s.api.post(base, { ...GCP, name: 'dr-slow', drRegion: 'us-east1' })).body;
    s.clock.advance(600);
    const path = `${base}/${c.id}`;
    const started = await s.api.post(path, dedicatedUpdate(c, { isFailedOver: true }));
    assert.equal(started.status, 200);
    assert.equal(started.body.status, 'FAILING_OVER');
    assert.equal(started.body.failoverInProgress, true);
    assert.equal(started.body.isFailedOver, false);
    assertError(await s.api.post(path, dedicatedUpdate(c, { isFailedOver: false })), 409);
    s.clock.advance(600);
    const done = (await s.api.get(path)).body;
    assert.equal(done.status, 'CREATED');
    assert.equal(done.failoverInProgress, false);
    assert.equal(done.isFailedOver, true);
  });

  it('lets exactly one of several simultaneous changes through', async () => {
    const c = (await s.api.post(base, { ...AWS, name: 'raced' })).body;
    s.clock.advance(600);
    const path = `${base}/${c.id}`;
    const results = await Promise.all([1, 2, 3, 4].map((n) => s.api.post(path, dedicatedUpdate(c, { name: `raced-${n}` }))));
    const won = results.filter((r) => r.status === 200);
    assert.equal(won.length, 1, `statuses: ${results.map((r) => r.status).join(',')}`);
    for (const r of results.filter((x) => x.status !== 200)) assertError(r, 409);
    assert.equal((await s.api.get(path)).body.name, won[0]!.body.name);
  });

  it('registers hybrid clusters CREATED at once', async () => {
    const h = await registerHybridCluster(s.app, { organizationId: s.orgId, name: 'hyb', cloudProvider: 'GCP', region: 'us-central1' });
    assert.equal(h.status, 'CREATED');
    assert.equal((await s.api.get(`${base}/${h.id}`)).body.status, 'CREATED');
  });
});

describe('astrolabe cluster register', () => {
  const ROOT = path.resolve(import.meta.dirname, '..', '..');
  let dir: string;
  let env: Record<string, string | undefined>;
  let orgId: string;

  const run = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], { cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8' });

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'astrolabe-cluster-cli-'));
    env = { ASTROLABE_DATA_DIR: dir, ASTROLABE_DATABASE_URL: undefined };
    const org = run(['org', 'create', '--name', 'Hybrid Org', '--product', 'HYBRID']);
    assert.equal(org.status, 0, org.stderr);
    orgId = JSON.parse(org.stdout).organizationId;
  });
  after(() => { fs.rmSync(dir, { recursive: true, force: true }); });

  it('registers a HYBRID cluster and prints it as the API shows it', () => {
    const r = run(['cluster', 'register', '--organization-id', orgId, '--name', 'on-prem', '--cloud-provider', 'aws', '--region', 'me-south-1', '--provider-account', '123456789012', '--node-instance-type', 'm5.2xlarge']);
    assert.equal(r.status, 0, r.stderr);
    const c = JSON.parse(r.stdout);
    assert.match(c.id, CUID);
    assert.equal(c.organizationId, orgId);
    assert.equal(c.type, 'HYBRID');
    assert.equal(c.status, 'CREATED');
    assert.equal(c.cloudProvider, 'AWS');
    assert.equal(c.region, 'me-south-1');
    assert.equal(c.vpcSubnetRange, '172.20.0.0/20');
    assert.equal(c.dbInstanceType, 'db.m6g.large');
    assert.equal(c.providerAccount, '123456789012');
    assert.equal(c.isDrEnabled, false);
    assert.equal(c.drRegion, '');
    assert.equal(c.nodePools.length, 1);
    assert.match(c.nodePools[0].id, CUID);
    assert.equal(c.nodePools[0].isDefault, true);
    assert.equal(c.nodePools[0].nodeInstanceType, 'm5.2xlarge');
    assert.ok(!('supportedAstroMachines' in c.nodePools[0]));
    assert.match(c.createdAt, RFC3339);
  });

  it('rejects bad flags with a non-zero exit and a message', () => {
    const base = ['cluster', 'register', '--organization-id', orgId, '--name', 'x', '--cloud-provider', 'GCP', '--region', 'us-central1'];
    const missing = run(base.slice(0, -2));
    assert.notEqual(missing.status, 0);
    assert.match(missing.stderr, /--region/);
    const badProvider = run(base.map((a) => (a === 'GCP' ? 'IBM' : a)));
    assert.notEqual(badProvider.status, 0);
    assert.match(badProvider.stderr, /--cloud-provider/);
    const badRegion = run(base.map((a) => (a === 'us-central1' ? 'mars-north1' : a)));
    assert.notEqual(badRegion.status, 0);
    assert.match(badRegion.stderr, /--region/);
    const badCidr = run([...base, '--vpc-subnet-range', '10.0.0.0/99']);
    assert.notEqual(badCidr.status, 0);
    assert.match(badCidr.stderr, /--vpc-subnet-range/);
    const clash = run([...base, '--vpc-subnet-range', '100.64.0.0/24']); // inside GCP's default pod range
    assert.notEqual(clash.status, 0);
    assert.match(clash.stderr, /--vpc-subnet-range: .*overlaps podSubnetRange/);
    const badNode = run([...base, '--node-instance-type', 'm5.xlarge']);
    assert.notEqual(badNode.status, 0);
    assert.match(badNode.stderr, /--node-instance-type/);
    const unknownOrg = run(base.map((a) => (a === orgId ? `c${'0'.repeat(24)}` : a)));
    assert.notEqual(unknownOrg.status, 0);
    assert.match(unknownOrg.stderr, /Organization not found/);
    const unknownFlag = run([...base, '--colour', 'blue']);
    assert.notEqual(unknownFlag.status, 0);
  });
});
