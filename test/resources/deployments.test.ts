import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertError, CUID, RFC3339, type ApiClient } from '../helpers/client.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { createOrganizationWithOwner } from '../../src/bootstrap.js';
import { registerHybridCluster } from '../../src/resources/clusters/service.js';

type Json = Record<string, any>;

const AWS_CLUSTER = { cloudProvider: 'AWS', type: 'DEDICATED', name: 'aws-dedicated', region: 'us-east-1', vpcSubnetRange: '172.20.0.0/20' };

/** A fresh organization of the test server with its own owner client. */
async function newOrg(s: TestServer, name: string): Promise<{ orgId: string; api: ApiClient }> {
  const o = await createOrganizationWithOwner(s.app, { name });
  return { orgId: o.organizationId, api: s.as(o.token) };
}

async function workspace(api: ApiClient, orgId: string, body: Json): Promise<Json> {
  const res = await api.post(`/v1/organizations/${orgId}/workspaces`, body);
  assert.equal(res.status, 200, res.text);
  return res.body;
}

async function dedicated(api: ApiClient, orgId: string, extra: Json = {}): Promise<Json> {
  const res = await api.post(`/v1/organizations/${orgId}/clusters`, { ...AWS_CLUSTER, ...extra });
  assert.equal(res.status, 200, res.text);
  return res.body;
}

async function hybrid(s: TestServer, orgId: string, name = 'hybrid'): Promise<Json> {
  return registerHybridCluster(s.app, { organizationId: orgId, name, cloudProvider: 'AWS', region: 'us-west-2', nodeInstanceType: 'm5.xlarge' }) as unknown as Json;
}

const absent = (d: Json, fields: string[]) => {
  for (const f of fields) assert.ok(!(f in d), `${f} must be left out, got ${JSON.stringify(d[f])}`);
};

describe('deployments: create', () => {
  let s: TestServer;
  let base: string;
  let options: Json;
  let wsRegion: Json;
  let wsDedicated: Json;
  let wsHybrid: Json;
  let wsBare: Json;
  let cluster: Json;
  let hyb: Json;
  before(async () => {
    s = await startServer();
    base = `/v1/organizations/${s.orgId}/deployments`;
    options = (await s.api.get(`/v1/organizations/${s.orgId}/deployment-options`)).body;
    cluster = await dedicated(s.api, s.orgId);
    hyb = await hybrid(s, s.orgId);
    wsRegion = await workspace(s.api, s.orgId, { name: 'region default', cicdEnforcedDefault: true, defaultCloudProvider: 'AWS', defaultRegion: 'us-west-2' });
    wsDedicated = await workspace(s.api, s.orgId, { name: 'dedicated default', defaultClusterId: cluster.id });
    wsHybrid = await workspace(s.api, s.orgId, { name: 'hybrid default', defaultClusterId: hyb.id });
    wsBare = await workspace(s.api, s.orgId, { name: 'no default' });
  });
  after(async () => { await s.close(); });

  it('creates a STANDARD Deployment from only a name and a Workspace with a default region, with every default filled in', async () => {
    const res = await s.api.post(base, { name: 'minimal', workspaceId: wsRegion.id });
    assert.equal(res.status, 200, res.text);
    const d = res.body;
    assert.match(d.id, CUID);
    assert.equal(d.type, 'STANDARD');
    assert.equal(d.cloudProvider, 'AWS');
    assert.equal(d.region, 'us-west-2');
    assert.equal(d.organizationId, s.orgId);
    assert.equal(d.workspaceId, wsRegion.id);
    assert.equal(d.workspaceName, 'region default');
    // Defaults come from the deployment options.
    const newest = options.runtimeReleases[0];
    assert.equal(d.astroRuntimeVersion, newest.version);
    assert.equal(d.runtimeVersion, newest.version);
    assert.equal(d.airflowVersion, newest.airflowVersion);
    assert.equal(d.executor, 'ASTRO', 'Airflow 3 runtimes default to the ASTRO executor');
    assert.equal(d.schedulerSize, 'SMALL');
    const small = options.schedulerMachines.find((m: Json) => m.name === 'SMALL');
    assert.equal(d.schedulerCpu, small.spec.cpu);
    assert.equal(d.schedulerMemory, small.spec.memory);
    assert.equal(d.schedulerReplicas, 1);
    assert.equal(d.isHighAvailability, false);
    assert.equal(d.isDevelopmentMode, false);
    assert.equal(d.isCicdEnforced, true, 'from the Workspace\'s cicdEnforcedDefault');
    assert.equal(d.isDagDeployEnabled, true);
    assert.equal(d.defaultTaskPodCpu, options.resourceQuotas.defaultPodSize.cpu.default);
    assert.equal(d.defaultTaskPodMemory, options.resourceQuotas.defaultPodSize.memory.default);
    assert.equal(d.resourceQuotaCpu, options.resourceQuotas.resourceQuota.cpu.default);
    assert.equal(d.resourceQuotaMemory, options.resourceQuotas.resourceQuota.memory.default);
    assert.equal(d.workerQueues.length, 1);
    const q = d.workerQueues[0];
    const a5 = options.workerMachines.find((m: Json) => m.name === 'A5');
    assert.match(q.id, CUID);
    assert.deepEqual(
      { name: q.name, isDefault: q.isDefault, astroMachine: q.astroMachine, minWorkerCount: q.minWorkerCount, maxWorkerCount: q.maxWorkerCount, workerConcurrency: q.workerConcurrency, podCpu: q.podCpu, podMemory: q.podMemory },
      { name: 'default', isDefault: true, astroMachine: 'A5', minWorkerCount: options.workerQueues.minWorkers.default, maxWorkerCount: options.workerQueues.maxWorkers.default, workerConcurrency: a5.concurrency.default, podCpu: a5.spec.cpu, podMemory: a5.spec.memory },
    );
    absent(q, ['nodePoolId', 'podEphemeralStorage']);
    // Computed fields clients need.
    assert.equal(d.status, 'HEALTHY', 'ASTROLABE_PROVISION_SECONDS defaults to 0: ready on the first read');
    assert.match(d.namespace, /^[a-z]+-[a-z]+-\d{4}$/);
    for (const f of ['webServerIngressHostname', 'webServerUrl', 'webServerAirflowApiUrl', 'uiUrl', 'apiUrl', 'imageRepository', 'imageTag', 'webServerCpu', 'webServerMemory', 'effectiveWorkloadIdentity', 'oidcIssuerUrl']) {
      assert.ok(typeof d[f] === 'string' && d[f].length > 0, `${f} is set`);
    }
    assert.match(d.effectiveWorkloadIdentity, /^arn:aws:iam::123456789012:role\//, 'AWS\'s documentation account');
    assert.match(d.webServerAirflowApiUrl, /\/api\/v2$/);
    assert.ok(d.imageRepository.endsWith(`/${d.namespace}`));
    assert.equal(d.externalIPs.length, 2);
    assert.deepEqual(d.environmentVariables, []);
    assert.equal(d.createdBy.id, d.updatedBy.id);
    assert.equal(d.createdBy.subjectType, 'SERVICEKEY');
    assert.match(d.createdAt, RFC3339);
    absent(d, ['clusterId', 'clusterName', 'scalingSpec', 'scalingStatus', 'remoteExecution', 'taskPodNodePoolId', 'schedulerAu', 'description', 'contactEmails', 'drExternalIPs', 'effectiveDRWorkloadIdentity']);

    const read = await s.api.get(`${base}/${d.id}`);
    assert.equal(read.status, 200);
    assert.deepEqual(read.body, d);
  });

  it('uses the Workspace\'s default DEDICATED cluster: type, provider and region come from it', async () => {
    const d = (await s.api.post(base, { name: 'on dedicated', workspaceId: wsDedicated.id })).body;
    assert.equal(d.type, 'DEDICATED');
    assert.equal(d.clusterId, cluster.id);
    assert.equal(d.clusterName, 'aws-dedicated');
    assert.equal(d.cloudProvider, 'AWS');
    assert.equal(d.region, 'us-east-1');
    assert.equal(d.schedulerSize, 'SMALL');
    assert.deepEqual(d.externalIPs, cluster.metadata.externalIPs);
    assert.equal(d.oidcIssuerUrl, cluster.metadata.oidcIssuerUrl);
    assert.ok(d.effectiveWorkloadIdentity.endsWith(cluster.id));
    assert.equal(d.workerQueues[0].astroMachine, 'A5');
  });

  it('uses the Workspace\'s default HYBRID cluster: CELERY, an AU-sized scheduler and a queue on the first node pool', async () => {
    const d = (await s.api.post(base, { name: 'on hybrid', workspaceId: wsHybrid.id })).body;
    assert.equal(d.type, 'HYBRID');
    assert.equal(d.clusterId, hyb.id);
    assert.equal(d.clusterName, 'hybrid');
    assert.equal(d.region, 'us-west-2');
    assert.equal(d.cloudProvider, 'AWS');
    assert.equal(d.executor, 'CELERY', 'never ASTRO on HYBRID');
    assert.equal(d.schedulerAu, 5);
    assert.equal(d.schedulerReplicas, 1);
    assert.equal(d.schedulerCpu, '0.5');
    assert.equal(d.schedulerMemory, '1.875Gi');
    const q = d.workerQueues[0];
    assert.equal(q.name, 'default');
    assert.equal(q.nodePoolId, hyb.nodePools[0].id);
    assert.equal(q.workerConcurrency, 16);
    assert.equal(q.podCpu, '2', 'm5.xlarge less system overhead');
    assert.equal(q.podMemory, '14.5Gi');
    absent(q, ['astroMachine']);
    absent(d, ['schedulerSize', 'isHighAvailability', 'isDevelopmentMode', 'resourceQuotaCpu', 'resourceQuotaMemory', 'defaultTaskPodCpu', 'defaultTaskPodMemory', 'scalingSpec', 'scalingStatus', 'remoteExecution', 'taskPodNodePoolId']);
  });

  it('takes the Organization\'s only cluster when the Workspace has no default, and says what to send otherwise', async () => {
    const one = await newOrg(s, 'One cluster');
    const w = await workspace(one.api, one.orgId, { name: 'w' });
    const url = `/v1/organizations/${one.orgId}/deployments`;
    const none = await one.api.post(url, { name: 'd', workspaceId: w.id });
    assertError(none, 400, 'clusterId', 'required');
    assert.match(none.body.message, /clusterId.*cloudProvider and region/);
    assert.match(none.body.message, /0 clusters/);

    const c = await dedicated(one.api, one.orgId, { name: 'the only one' });
    const d = await one.api.post(url, { name: 'd', workspaceId: w.id });
    assert.equal(d.status, 200, d.text);
    assert.equal(d.body.type, 'DEDICATED');
    assert.equal(d.body.clusterId, c.id);

    await hybrid(s, one.orgId, 'second');
    const two = await one.api.post(url, { name: 'd2', workspaceId: w.id });
    assertError(two, 400, 'clusterId', 'required');
    assert.match(two.body.message, /2 clusters/);
    // Nothing was created by the refused requests.
    assert.equal((await one.api.get(url)).body.totalCount, 1);
  });

  it('lets an explicit clusterId, or cloudProvider and region, win over Workspace defaults', async () => {
    const byCluster = (await s.api.post(base, { name: 'explicit cluster', workspaceId: wsRegion.id, clusterId: hyb.id })).body;
    assert.equal(byCluster.type, 'HYBRID');
    assert.equal(byCluster.clusterId, hyb.id);
    const byRegion = (await s.api.post(base, { name: 'explicit region', workspaceId: wsDedicated.id, cloudProvider: 'GCP', region: 'us-central1' })).body;
    assert.equal(byRegion.type, 'STANDARD');
    assert.equal(byRegion.cloudProvider, 'GCP');
    assert.equal(byRegion.region, 'us-central1');
    absent(byRegion, ['clusterId']);
    // clusterId takes precedence over cloudProvider and region sent alongside it.
    const both = (await s.api.post(base, { name: 'both', workspaceId: wsBare.id, clusterId: cluster.id, cloudProvider: 'GCP', region: 'us-central1' })).body;
    assert.equal(both.type, 'DEDICATED');
    assert.equal(both.region, 'us-east-1');
  });

  it('accepts a type that agrees with the infrastructure and refuses one that does not', async () => {
    const ok = await s.api.post(base, { type: 'HYBRID', name: 'typed', workspaceId: wsHybrid.id });
    assert.equal(ok.status, 200, ok.text);
    assert.equal(ok.body.type, 'HYBRID');
    assertError(await s.api.post(base, { type: 'STANDARD', name: 'x', workspaceId: wsBare.id, clusterId: cluster.id }), 400, 'type', 'mismatch');
    assertError(await s.api.post(base, { type: 'DEDICATED', name: 'x', workspaceId: wsBare.id, clusterId: hyb.id }), 400, 'type', 'mismatch');
    // A typed STANDARD create needs a region: the Workspace's default cluster does not count.
    assertError(await s.api.post(base, { type: 'STANDARD', name: 'x', workspaceId: wsDedicated.id }), 400, 'cloudProvider', 'required');
    // A typed DEDICATED create skips a Workspace default region it cannot use.
    assertError(await s.api.post(base, { type: 'DEDICATED', name: 'x', workspaceId: wsRegion.id }), 400, 'clusterId', 'required');
  });

  it('checks the infrastructure named in the body', async () => {
    assertError(await s.api.post(base, { name: 'x', workspaceId: wsBare.id, clusterId: `c${'9'.repeat(24)}` }), 400, 'clusterId', 'exists');
    assertError(await s.api.post(base, { name: 'x', workspaceId: wsBare.id, cloudProvider: 'AWS' }), 400, 'region', 'required_with');
    assertError(await s.api.post(base, { name: 'x', workspaceId: wsBare.id, region: 'us-east-1' }), 400, 'cloudProvider', 'required_with');
    assertError(await s.api.post(base, { name: 'x', workspaceId: wsBare.id, cloudProvider: 'AWS', region: 'eu-west-3' }), 400, 'region', 'oneof');
    assertError(await s.api.post(base, { name: 'x', workspaceId: `c${'9'.repeat(24)}` }), 400, 'workspaceId', 'exists');
    // A cluster restricted to other Workspaces is not available.
    const restricted = await dedicated(s.api, s.orgId, { name: 'restricted', workspaceIds: [wsRegion.id] });
    assertError(await s.api.post(base, { name: 'x', workspaceId: wsBare.id, clusterId: restricted.id }), 400, 'clusterId', 'workspace');
    assert.equal((await s.api.post(base, { name: 'allowed', workspaceId: wsRegion.id, clusterId: restricted.id })).status, 200);
  });

  it('refuses STANDARD Deployments when the Organization enforces dedicated clusters', async () => {
    const o = await newOrg(s, 'Dedicated only');
    const w = await workspace(o.api, o.orgId, { name: 'w', defaultCloudProvider: 'AWS', defaultRegion: 'us-east-1' });
    const url = `/v1/organizations/${o.orgId}/deployments`;
    await o.api.post(`/v1/organizations/${o.orgId}`, { name: 'Dedicated only', billingEmail: 'b@example.com', isScimEnabled: false, shouldEnforceDedicatedClusters: true });
    assertError(await o.api.post(url, { name: 'x', workspaceId: w.id }), 400, 'clusterId', 'dedicated');
    assertError(await o.api.post(url, { name: 'x', workspaceId: w.id, cloudProvider: 'GCP', region: 'us-east4' }), 400, 'cloudProvider', 'dedicated');
    assertError(await o.api.post(url, { type: 'STANDARD', name: 'x', workspaceId: w.id }), 400, 'type', 'dedicated');
    const c = await dedicated(o.api, o.orgId);
    assert.equal((await o.api.post(url, { name: 'x', workspaceId: w.id, clusterId: c.id })).status, 200);
  });

  it('defaults the executor from the runtime and leaves worker queues out for KUBERNETES', async () => {
    const af2 = (await s.api.post(base, { name: 'airflow 2', workspaceId: wsRegion.id, astroRuntimeVersion: '13.7.0' })).body;
    assert.equal(af2.executor, 'CELERY');
    assert.equal(af2.airflowVersion, '2.11.0');
    assert.match(af2.webServerAirflowApiUrl, /\/api\/v1$/);
    const k8s = (await s.api.post(base, { name: 'k8s', workspaceId: wsRegion.id, executor: 'KUBERNETES' })).body;
    assert.equal(k8s.executor, 'KUBERNETES');
    absent(k8s, ['workerQueues', 'taskPodNodePoolId']);
    const hk8s = (await s.api.post(base, { name: 'hybrid k8s', workspaceId: wsHybrid.id, executor: 'KUBERNETES' })).body;
    assert.equal(hk8s.taskPodNodePoolId, hyb.nodePools[0].id, 'the cluster\'s default node pool');
    absent(hk8s, ['workerQueues']);
  });

  it('echoes what was sent, byte for byte', async () => {
    const body = {
      type: 'STANDARD', name: 'echo', description: 'all the fields', workspaceId: wsBare.id, cloudProvider: 'AZURE', region: 'westus2',
      astroRuntimeVersion: '3.1-12', executor: 'CELERY', schedulerSize: 'LARGE', isHighAvailability: true, isDevelopmentMode: false,
      isCicdEnforced: false, isDagDeployEnabled: false, contactEmails: ['a@example.com', 'b@example.com'],
      resourceQuotaCpu: '160', resourceQuotaMemory: '320Gi', defaultTaskPodCpu: '0.50', defaultTaskPodMemory: '1.0Gi',
      workerQueues: [
        { name: 'default', isDefault: true, astroMachine: 'A10', minWorkerCount: 1, maxWorkerCount: 5, workerConcurrency: 20, podEphemeralStorage: '20Gi' },
        { name: 'big-jobs', isDefault: false, astroMachine: 'A40', minWorkerCount: 0, maxWorkerCount: 2, workerConcurrency: 120 },
      ],
      environmentVariables: [{ key: 'PLAIN', value: 'hello', isSecret: false }, { key: 'EMPTY', isSecret: false }],
      workloadIdentity: 'arn:aws:iam::123456789012:role/custom',
    };
    const res = await s.api.post(base, body);
    assert.equal(res.status, 200, res.text);
    const d = res.body;
    for (const k of ['name', 'description', 'astroRuntimeVersion', 'executor', 'schedulerSize', 'isHighAvailability', 'isDevelopmentMode', 'isCicdEnforced', 'isDagDeployEnabled', 'contactEmails', 'resourceQuotaCpu', 'resourceQuotaMemory', 'defaultTaskPodCpu', 'defaultTaskPodMemory'] as const) {
      assert.deepEqual(d[k], (body as Json)[k], k);
    }
    assert.equal(d.effectiveWorkloadIdentity, 'arn:aws:iam::123456789012:role/custom');
    assert.equal(d.schedulerReplicas, 2, 'high availability runs two schedulers');
    assert.equal(d.schedulerCpu, '4');
    assert.deepEqual(d.workerQueues.map((q: Json) => [q.name, q.isDefault, q.astroMachine, q.minWorkerCount, q.maxWorkerCount, q.workerConcurrency, q.podCpu, q.podMemory, q.podEphemeralStorage]), [
      ['default', true, 'A10', 1, 5, 20, '2', '4Gi', '20Gi'],
      ['big-jobs', false, 'A40', 0, 2, 120, '8', '16Gi', undefined],
    ]);
    assert.deepEqual(d.environmentVariables.map((v: Json) => [v.key, v.value, v.isSecret]), [['PLAIN', 'hello', false], ['EMPTY', undefined, false]]);
    for (const v of d.environmentVariables) assert.match(v.updatedAt, RFC3339);
  });

  it('fills the other half of a CPU/memory pair and accepts JSON null as not sent', async () => {
    const d = (await s.api.post(base, { name: 'half', workspaceId: wsRegion.id, resourceQuotaCpu: '4', defaultTaskPodMemory: '2Gi', description: null, workerQueues: null })).body;
    assert.equal(d.resourceQuotaMemory, '8Gi');
    assert.equal(d.defaultTaskPodCpu, '1');
    absent(d, ['description']);
    assert.equal(d.workerQueues[0].name, 'default');
  });

  it('fills the disaster-recovery fields from a DR-enabled cluster and treats an empty workload identity as unset', async () => {
    const drCluster = await dedicated(s.api, s.orgId, { name: 'with dr', drRegion: 'us-west-2' });
    assert.equal(drCluster.isDrEnabled, true);
    const d = (await s.api.post(base, { name: 'dr', workspaceId: wsBare.id, clusterId: drCluster.id, workloadIdentity: '' })).body;
    assert.equal(d.drExternalIPs.length, 2);
    assert.notDeepEqual(d.drExternalIPs, d.externalIPs);
    assert.match(d.drOidcIssuerUrl, /^https:\/\/oidc\.eks\.us-west-2\.amazonaws\.com\.invalid\/id\//);
    assert.match(d.effectiveDRWorkloadIdentity, /^arn:aws:iam::123456789012:role\/.*-dr$/);
    assert.match(d.effectiveWorkloadIdentity, /^arn:aws:iam::123456789012:role\//, 'the default identity');
    const custom = (await s.api.post(base, { name: 'dr custom', workspaceId: wsBare.id, clusterId: drCluster.id, drWorkloadIdentity: 'arn:aws:iam::123456789012:role/dr' })).body;
    assert.equal(custom.effectiveDRWorkloadIdentity, 'arn:aws:iam::123456789012:role/dr');
    absent((await s.api.post(base, { name: 'no dr', workspaceId: wsDedicated.id })).body, ['drExternalIPs', 'drOidcIssuerUrl', 'effectiveDRWorkloadIdentity']);
  });

  it('runs remote execution on DEDICATED + ASTRO only, and leaves the block out when it is off', async () => {
    const on = await s.api.post(base, { name: 'remote', workspaceId: wsDedicated.id, executor: 'ASTRO', remoteExecution: { enabled: true, taskLogBucket: 's3://logs' } });
    assert.equal(on.status, 200, on.text);
    assert.equal(on.body.remoteExecution.enabled, true);
    assert.deepEqual(on.body.remoteExecution.allowedIpAddressRanges, [], 'always an array');
    assert.equal(on.body.remoteExecution.taskLogBucket, 's3://logs');
    assert.match(on.body.remoteExecution.remoteApiUrl, /^https:\/\//);
    absent(on.body, ['workerQueues', 'resourceQuotaCpu', 'defaultTaskPodCpu']);
    const off = await s.api.post(base, { name: 'not remote', workspaceId: wsDedicated.id, remoteExecution: { enabled: false } });
    absent(off.body, ['remoteExecution']);
    assert.equal(off.body.workerQueues.length, 1);
    assertError(await s.api.post(base, { name: 'x', workspaceId: wsRegion.id, remoteExecution: { enabled: true } }), 400, 'remoteExecution', 'excluded');
    assertError(await s.api.post(base, { name: 'x', workspaceId: wsDedicated.id, executor: 'CELERY', remoteExecution: { enabled: true } }), 400, 'executor', 'oneof');
    assertError(await s.api.post(base, { name: 'x', workspaceId: wsDedicated.id, remoteExecution: { enabled: true, allowedIpAddressRanges: ['10.0.0.0/33'] } }), 400, 'remoteExecution.allowedIpAddressRanges[0]', 'cidrv4');
  });

  describe('validation', () => {
    const post = (body: Json) => s.api.post(base, body);
    const std = () => ({ name: 'v', workspaceId: wsRegion.id });

    it('checks names and lengths', async () => {
      assertError(await post({ workspaceId: wsRegion.id }), 400, 'name', 'required');
      assertError(await post({ name: 'x' }), 400, 'workspaceId', 'required');
      assertError(await post({ ...std(), name: '   ' }), 400, 'name', 'required');
      assertError(await post({ ...std(), name: 'n'.repeat(501) }), 400, 'name', 'max');
      assertError(await post({ ...std(), description: 'd'.repeat(1001) }), 400, 'description', 'max');
      assertError(await post({ ...std(), type: 'SHARED' }), 400, 'type', 'oneof');
      assert.equal((await post({ ...std(), name: 'n'.repeat(500) })).status, 200);
    });

    it('refuses fields a type cannot take', async () => {
      assertError(await post({ ...std(), scheduler: { au: 5 } }), 400, 'scheduler', 'excluded');
      assertError(await post({ ...std(), taskPodNodePoolId: hyb.nodePools[0].id }), 400, 'taskPodNodePoolId', 'excluded');
      assertError(await post({ type: 'DEDICATED', name: 'v', workspaceId: wsDedicated.id, region: 'us-east-1' }), 400, 'region', 'excluded');
      const onHybrid = { name: 'v', workspaceId: wsHybrid.id };
      for (const [field, value] of [['schedulerSize', 'SMALL'], ['isHighAvailability', false], ['isDevelopmentMode', true], ['resourceQuotaCpu', '10'], ['resourceQuotaMemory', '20Gi'], ['defaultTaskPodCpu', '1'], ['defaultTaskPodMemory', '2Gi'], ['remoteExecution', { enabled: true }]] as const) {
        assertError(await post({ ...onHybrid, [field]: value }), 400, field, 'excluded');
      }
      assertError(await post({ ...onHybrid, scalingSpec: { hibernationSpec: { schedules: [] } } }), 400, 'scalingSpec', 'excluded');
      // A body without a type is checked as the shape of the type it resolves to.
      assertError(await post({ ...onHybrid, executor: 'ASTRO' }), 400, 'executor', 'oneof');
      assertError(await post({ ...onHybrid, workerQueues: [{ name: 'default', isDefault: true, minWorkerCount: 0, maxWorkerCount: 1, workerConcurrency: 1 }] }), 400, 'workerQueues[0].nodePoolId', 'required');
      assertError(await post({ ...std(), workerQueues: [{ name: 'default', isDefault: true, minWorkerCount: 0, maxWorkerCount: 1, workerConcurrency: 1 }] }), 400, 'workerQueues[0].astroMachine', 'required');
    });

    it('checks executor and runtime combinations', async () => {
      assertError(await post({ ...std(), astroRuntimeVersion: '9.9.9' }), 400, 'astroRuntimeVersion', 'oneof');
      assertError(await post({ ...std(), astroRuntimeVersion: '13.7.0', executor: 'ASTRO' }), 400, 'executor', 'runtime');
      assertError(await post({ type: 'HYBRID', name: 'v', workspaceId: wsHybrid.id, executor: 'ASTRO' }), 400, 'executor', 'oneof');
      assertError(await post({ ...std(), executor: 'LOCAL' }), 400, 'executor', 'oneof');
    });

    it('needs memory twice the CPU, in Gi, within the options\' range', async () => {
      assertError(await post({ ...std(), resourceQuotaCpu: '10', resourceQuotaMemory: '30Gi' }), 400, 'resourceQuotaMemory', 'ratio');
      assertError(await post({ ...std(), defaultTaskPodCpu: '1', defaultTaskPodMemory: '2G' }), 400, 'defaultTaskPodMemory', 'quantity');
      assertError(await post({ ...std(), defaultTaskPodCpu: 'lots' }), 400, 'defaultTaskPodCpu', 'quantity');
      assertError(await post({ ...std(), resourceQuotaCpu: '7000', resourceQuotaMemory: '14000Gi' }), 400, 'resourceQuotaCpu', 'max');
      assertError(await post({ ...std(), defaultTaskPodCpu: '0.1', defaultTaskPodMemory: '0.2Gi' }), 400, 'defaultTaskPodCpu', 'min');
      const ok = await post({ ...std(), defaultTaskPodCpu: '500m', defaultTaskPodMemory: '1Gi' });
      assert.equal(ok.status, 200, ok.text);
      assert.equal(ok.body.defaultTaskPodCpu, '500m');
    });

    it('checks worker queues: names, the default queue, counts, machines and node pools', async () => {
      const q = (extra: Json = {}) => ({ name: 'default', isDefault: true, astroMachine: 'A5', minWorkerCount: 0, maxWorkerCount: 10, workerConcurrency: 5, ...extra });
      assertError(await post({ ...std(), workerQueues: [q(), q()] }), 400, 'workerQueues[1].name', 'unique');
      assertError(await post({ ...std(), workerQueues: [q({ name: 'other', isDefault: false })] }), 400, 'workerQueues', 'default');
      assertError(await post({ ...std(), workerQueues: [q({ isDefault: false })] }), 400, 'workerQueues[0].isDefault', 'default');
      assertError(await post({ ...std(), workerQueues: [q(), q({ name: 'two', isDefault: true })] }), 400, 'workerQueues[1].isDefault', 'default');
      assertError(await post({ ...std(), workerQueues: [q(), q({ name: 'Bad_Name', isDefault: false })] }), 400, 'workerQueues[1].name', 'pattern');
      assertError(await post({ ...std(), workerQueues: [q({ name: 'n'.repeat(64) })] }), 400, 'workerQueues[0].name', 'max');
      assertError(await post({ ...std(), workerQueues: [q({ minWorkerCount: 5, maxWorkerCount: 2 })] }), 400, 'workerQueues[0].minWorkerCount', 'ltefield');
      assertError(await post({ ...std(), workerQueues: [q({ maxWorkerCount: 31 })] }), 400, 'workerQueues[0].maxWorkerCount', 'max');
      assertError(await post({ ...std(), workerQueues: [q({ maxWorkerCount: 0 })] }), 400, 'workerQueues[0].maxWorkerCount', 'min');
      assertError(await post({ ...std(), workerQueues: [q({ workerConcurrency: 16 })] }), 400, 'workerQueues[0].workerConcurrency', 'max');
      assertError(await post({ ...std(), workerQueues: [q({ astroMachine: 'A7' })] }), 400, 'workerQueues[0].astroMachine', 'oneof');
      assertError(await post({ ...std(), workerQueues: [q({ podEphemeralStorage: '10GB' })] }), 400, 'workerQueues[0].podEphemeralStorage', 'quantity');
      assertError(await post({ ...std(), workerQueues: [] }), 400, 'workerQueues', 'min');
      assertError(await post({ ...std(), executor: 'KUBERNETES', workerQueues: [q()] }), 400, 'workerQueues', 'excluded');
      assertError(await post({ type: 'STANDARD', ...std(), workerQueues: [q({ nodePoolId: hyb.nodePools[0].id })] }), 400, 'workerQueues[0].nodePoolId', 'excluded');
      // Hybrid queues run on the cluster's node pools.
      const hq = (extra: Json = {}) => ({ name: 'default', isDefault: true, nodePoolId: hyb.nodePools[0].id, minWorkerCount: 0, maxWorkerCount: 10, workerConcurrency: 16, ...extra });
      assertError(await post({ name: 'v', workspaceId: wsHybrid.id, workerQueues: [hq({ nodePoolId: cluster.nodePools[0].id })] }), 400, 'workerQueues[0].nodePoolId', 'exists');
      assertError(await post({ name: 'v', workspaceId: wsHybrid.id, workerQueues: [hq({ workerConcurrency: 65 })] }), 400, 'workerQueues[0].workerConcurrency', 'max');
      assertError(await post({ name: 'v', workspaceId: wsHybrid.id, workerQueues: [hq({ astroMachine: 'A5' })] }), 400, 'workerQueues[0].astroMachine', 'excluded');
      assertError(await post({ name: 'v', workspaceId: wsHybrid.id, executor: 'KUBERNETES', taskPodNodePoolId: 'nope' }), 400, 'taskPodNodePoolId', 'exists');
      // On a dedicated cluster, a queue's machine must fit one of its node pools.
      const small = await dedicated(s.api, s.orgId, { name: 'small nodes', nodePools: [{ name: 'small', nodeInstanceType: 't3.medium', maxNodeCount: 5 }] });
      assertError(await post({ name: 'v', workspaceId: wsBare.id, clusterId: small.id, workerQueues: [q({ astroMachine: 'A20', workerConcurrency: 20 })] }), 400, 'workerQueues[0].astroMachine', 'nodepool');
      assert.equal((await post({ name: 'v', workspaceId: wsBare.id, clusterId: small.id, workerQueues: [q({ astroMachine: 'A10' })] })).status, 200);
    });

    it('checks the HYBRID scheduler', async () => {
      assertError(await post({ type: 'HYBRID', name: 'v', workspaceId: wsHybrid.id, scheduler: { au: 25 } }), 400, 'scheduler.au', 'max');
      assertError(await post({ type: 'HYBRID', name: 'v', workspaceId: wsHybrid.id, scheduler: { au: 4 } }), 400, 'scheduler.au', 'min');
      assertError(await post({ type: 'HYBRID', name: 'v', workspaceId: wsHybrid.id, scheduler: { replicas: 5 } }), 400, 'scheduler.replicas', 'max');
      const d = (await post({ type: 'HYBRID', name: 'v', workspaceId: wsHybrid.id, scheduler: { au: 10, replicas: 3 } })).body;
      assert.equal(d.schedulerAu, 10);
      assert.equal(d.schedulerReplicas, 3);
      assert.equal(d.schedulerCpu, '1');
      assert.equal(d.schedulerMemory, '3.75Gi');
    });

    it('checks hibernation settings: development mode, no high availability, valid cron', async () => {
      const spec = { hibernationSpec: { schedules: [{ hibernateAtCron: '0 18 * * *', wakeAtCron: '0 8 * * *', isEnabled: true }] } };
      assertError(await post({ ...std(), scalingSpec: spec }), 400, 'scalingSpec', 'development');
      assertError(await post({ ...std(), isDevelopmentMode: true, isHighAvailability: true, scalingSpec: spec }), 400, 'isHighAvailability', 'excluded_with');
      const bad = (cron: Json) => post({ ...std(), isDevelopmentMode: true, scalingSpec: { hibernationSpec: { schedules: [{ hibernateAtCron: '0 18 * * *', wakeAtCron: '0 8 * * *', isEnabled: true, ...cron }] } } });
      assertError(await bad({ hibernateAtCron: '0 18 * *' }), 400, 'scalingSpec.hibernationSpec.schedules[0].hibernateAtCron', 'cron');
      assertError(await bad({ wakeAtCron: '61 8 * * *' }), 400, 'scalingSpec.hibernationSpec.schedules[0].wakeAtCron', 'cron');
      assertError(await bad({ wakeAtCron: '0 0 31 2 *' }), 400, 'scalingSpec.hibernationSpec.schedules[0].wakeAtCron', 'cron');
      assertError(await bad({ wakeAtCron: '0  18 * * *' }), 400, 'scalingSpec.hibernationSpec.schedules[0].wakeAtCron', 'cron');
      assertError(await bad({ description: 'd'.repeat(201) }), 400, 'scalingSpec.hibernationSpec.schedules[0].description', 'max');
      const eleven = Array.from({ length: 11 }, () => spec.hibernationSpec.schedules[0]);
      assertError(await post({ ...std(), isDevelopmentMode: true, scalingSpec: { hibernationSpec: { schedules: eleven } } }), 400, 'scalingSpec.hibernationSpec.schedules', 'max');
      assertError(await post({ ...std(), isDevelopmentMode: true, scalingSpec: { hibernationSpec: { override: { isHibernating: true, overrideUntil: 'tomorrow' } } } }), 400, 'scalingSpec.hibernationSpec.override.overrideUntil', 'datetime');
    });

    it('checks environment variables, contact e-mails and the DR identity', async () => {
      assertError(await post({ ...std(), environmentVariables: [{ key: 'A', value: '1', isSecret: false }, { key: 'A', value: '2', isSecret: false }] }), 400, 'environmentVariables[1].key', 'unique');
      assertError(await post({ ...std(), environmentVariables: [{ key: '1BAD', value: '1', isSecret: false }] }), 400, 'environmentVariables[0].key', 'pattern');
      assertError(await post({ ...std(), environmentVariables: [{ key: 'SECRET', isSecret: true }] }), 400, 'environmentVariables[0].value', 'required');
      assertError(await post({ ...std(), environmentVariables: [{ key: 'A', value: '1' }] }), 400, 'environmentVariables[0].isSecret', 'required');
      assertError(await post({ ...std(), contactEmails: ['ok@example.com', 'not-an-address'] }), 400, 'contactEmails[1]', 'email');
      assertError(await post({ ...std(), drWorkloadIdentity: 'arn:aws:iam::123456789012:role/dr' }), 400, 'drWorkloadIdentity', 'excluded');
    });
  });
});
