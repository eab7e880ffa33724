import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startServer, type TestServer } from '../helpers/server.js';
import { registerHybridCluster } from '../../src/resources/clusters/service.js';
import {
  assertDeploymentEchoes, assertGoneEverywhere, dedicatedCreate, hostedQueue, hybridCreate, hybridQueue, paths, standardCreate,
  updateFrom, workspaceBody, type Json,
} from './provider-platform-fixture.js';

/**
 * The same objects through both doors: created on the older surface exactly as the Terraform
 * provider creates them, read and changed on /v1, read back on the older surface (the change
 * visible, everything the provider sent still as it sent it), deleted on /v1, gone on both; and
 * the reverse — created on /v1, imported and changed on the older surface, read on /v1.
 */
describe('provider resources across /platform/v1beta1, /iam/v1beta1 and /v1', () => {
  let s: TestServer;
  let beta: string;
  let iam: string;
  let v1: string;
  before(async () => {
    s = await startServer();
    ({ beta, iam, v1 } = paths(s));
  });
  after(async () => { await s.close(); });

  const ok = (res: { status: number; text: string; body: any }, status = 200) => {
    assert.equal(res.status, status, res.text);
    return res.body;
  };

  describe('workspace', () => {
    it('older → v1 → older → delete on v1', async () => {
      const sent = workspaceBody('x-ws', { description: 'from terraform', cicdEnforcedDefault: true });
      const created = ok(await s.api.post(`${beta}/workspaces`, sent));
      const id = created.id;
      assert.deepEqual(ok(await s.api.get(`${beta}/workspaces/${id}`)), created);
      const onV1 = ok(await s.api.get(`${v1}/workspaces/${id}`));
      assert.equal(onV1.name, 'x-ws');
      // v1 changes the name and sets defaults the older shape does not have.
      const changed = ok(await s.api.post(`${v1}/workspaces/${id}`, {
        name: 'x-ws-v1', description: 'from terraform', cicdEnforcedDefault: true, defaultCloudProvider: 'AWS', defaultRegion: 'us-east-1',
      }));
      assert.equal(changed.defaultRegion, 'us-east-1');
      const back = ok(await s.api.get(`${beta}/workspaces/${id}`));
      assert.equal(back.name, 'x-ws-v1');
      assert.equal(back.description, 'from terraform');
      assert.equal(back.cicdEnforcedDefault, true);
      for (const k of ['defaultCloudProvider', 'defaultRegion', 'defaultClusterId']) assert.ok(!(k in back), k);
      assert.equal(back.createdAt, created.createdAt);
      assert.equal(ok(await s.api.delete(`${v1}/workspaces/${id}`), 204), undefined);
      await assertGoneEverywhere(s, `${beta}/workspaces/${id}`, `${v1}/workspaces/${id}`);
    });

    it('v1 → import on older → update on older (defaults survive) → v1', async () => {
      const created = ok(await s.api.post(`${v1}/workspaces`, { name: 'y-ws', description: 'd', defaultCloudProvider: 'GCP', defaultRegion: 'us-east4' }));
      const imported = ok(await s.api.get(`${beta}/workspaces/${created.id}`));
      assert.equal(imported.name, 'y-ws');
      assert.equal(imported.organizationId, s.orgId);
      const sent = workspaceBody('y-ws-tf', { description: '', cicdEnforcedDefault: true });
      const updated = ok(await s.api.post(`${beta}/workspaces/${created.id}`, sent));
      assert.equal(updated.name, 'y-ws-tf');
      assert.ok(!updated.description);
      const onV1 = ok(await s.api.get(`${v1}/workspaces/${created.id}`));
      assert.equal(onV1.name, 'y-ws-tf');
      assert.equal(onV1.cicdEnforcedDefault, true);
      assert.equal(onV1.defaultCloudProvider, 'GCP');
      assert.equal(onV1.defaultRegion, 'us-east4');
    });
  });

  describe('cluster', () => {
    const awsBody = (ws: string): Json => ({
      cloudProvider: 'AWS', name: 'x-aws', region: 'us-west-2', type: 'DEDICATED', vpcSubnetRange: '172.20.0.0/20', workspaceIds: [ws],
    });
    const gcpBody = (): Json => ({
      cloudProvider: 'GCP', name: 'x-gcp', podSubnetRange: '100.64.0.0/16', region: 'us-east4', servicePeeringRange: '100.66.0.0/21',
      serviceSubnetRange: '100.65.0.0/22', type: 'DEDICATED', vpcSubnetRange: '172.20.0.0/22', workspaceIds: [],
    });

    for (const [label, make] of [['AWS', awsBody], ['GCP', gcpBody]] as const) {
      it(`dedicated ${label}: older → v1 → older → delete on v1`, async () => {
        const ws = ok(await s.api.post(`${beta}/workspaces`, workspaceBody(`ws-${label}`))).id;
        const ws2 = ok(await s.api.post(`${beta}/workspaces`, workspaceBody(`ws2-${label}`))).id;
        const sent = make(ws);
        const created = ok(await s.api.post(`${beta}/clusters`, sent));
        for (const k of Object.keys(sent)) {
          if (k === 'workspaceIds' && sent.workspaceIds.length === 0) assert.ok(!created.workspaceIds?.length);
          else assert.deepEqual(created[k], sent[k], k);
        }
        assert.equal(created.status, 'CREATED', 'readable as CREATED at once');
        // The GCP ranges are Optional-only in the provider: absent on clusters that were not sent them.
        for (const k of ['podSubnetRange', 'serviceSubnetRange', 'servicePeeringRange']) {
          if (!(k in sent)) assert.ok(created[k] === undefined || created[k] === null, `${k} must be absent on ${label}`);
        }
        const id = created.id;
        assert.equal(ok(await s.api.get(`${beta}/clusters/${id}`)).status, 'CREATED');
        // v1 renames, re-authorizes and (AWS only) turns on the egress switch the older shape has not.
        const aws = label === 'AWS';
        const v1Update = ok(await s.api.post(`${v1}/clusters/${id}`, {
          clusterType: 'DEDICATED', name: `x-${label}-v1`, k8sTags: [], workspaceIds: [ws2, ws], ...(aws ? { isPrivateNetworkEgressEnabled: true } : {}),
        }));
        if (aws) assert.equal(v1Update.isPrivateNetworkEgressEnabled, true);
        const back = ok(await s.api.get(`${beta}/clusters/${id}`));
        assert.equal(back.name, `x-${label}-v1`);
        assert.deepEqual([...back.workspaceIds].sort(), [ws, ws2].sort());
        for (const k of ['region', 'vpcSubnetRange', 'cloudProvider', 'type', 'podSubnetRange', 'serviceSubnetRange', 'servicePeeringRange']) {
          if (k in sent) assert.equal(back[k], sent[k], k);
        }
        assert.ok(!('isPrivateNetworkEgressEnabled' in back));
        // An older-surface update (what the provider sends) leaves the egress switch as v1 set it.
        ok(await s.api.post(`${beta}/clusters/${id}`, { clusterType: 'DEDICATED', name: `x-${label}-tf`, k8sTags: [], workspaceIds: [ws] }));
        if (aws) assert.equal(ok(await s.api.get(`${v1}/clusters/${id}`)).isPrivateNetworkEgressEnabled, true);
        ok(await s.api.delete(`${v1}/clusters/${id}`), 204);
        await assertGoneEverywhere(s, `${beta}/clusters/${id}`, `${v1}/clusters/${id}`);
      });
    }

    const reverse: [string, Json][] = [
      ['AZURE', { cloudProvider: 'AZURE', name: 'x-azure', region: 'westus2', type: 'DEDICATED', vpcSubnetRange: '172.20.0.0/19' }],
      ['AWS', { cloudProvider: 'AWS', name: 'x-aws-v1', region: 'us-west-2', type: 'DEDICATED', vpcSubnetRange: '172.20.0.0/20', isPrivateNetworkEgressEnabled: true }],
    ];
    for (const [label, v1Body] of reverse) {
      it(`dedicated ${label}: v1 → import on older → update on older → v1`, async () => {
        const ws = ok(await s.api.post(`${v1}/workspaces`, { name: `rev-${label}` })).id;
        const created = ok(await s.api.post(`${v1}/clusters`, v1Body));
        const imported = ok(await s.api.get(`${beta}/clusters/${created.id}`));
        for (const k of ['name', 'region', 'vpcSubnetRange', 'cloudProvider', 'type']) assert.equal(imported[k], v1Body[k], k);
        assert.ok(!('isPrivateNetworkEgressEnabled' in imported));
        for (const k of ['podSubnetRange', 'serviceSubnetRange', 'servicePeeringRange', 'secondaryVpcCidr']) assert.ok(!(k in imported), k);
        const updated = ok(await s.api.post(`${beta}/clusters/${created.id}`, { clusterType: 'DEDICATED', name: `${v1Body.name}-tf`, k8sTags: [], workspaceIds: [ws] }));
        assert.equal(updated.name, `${v1Body.name}-tf`);
        assert.deepEqual(updated.workspaceIds, [ws]);
        const onV1 = ok(await s.api.get(`${v1}/clusters/${created.id}`));
        assert.equal(onV1.name, `${v1Body.name}-tf`);
        assert.deepEqual(onV1.workspaceIds, [ws]);
        if (label === 'AWS') assert.equal(onV1.isPrivateNetworkEgressEnabled, true, 'the older update leaves the egress switch alone');
      });
    }
  });

  describe('deployment', () => {
    let ws: string;
    let dedicatedCluster: string;
    let hybridCluster: string;
    let pool: string;
    before(async () => {
      ws = ok(await s.api.post(`${beta}/workspaces`, workspaceBody('dep-ws'))).id;
      dedicatedCluster = ok(await s.api.post(`${beta}/clusters`, {
        cloudProvider: 'AWS', name: 'dep-ded', region: 'us-east-1', type: 'DEDICATED', vpcSubnetRange: '172.20.0.0/20', workspaceIds: [ws],
      })).id;
      const hybrid = await registerHybridCluster(s.app, { organizationId: s.orgId, name: 'dep-hyb', cloudProvider: 'AWS', region: 'us-east-1' });
      hybridCluster = hybrid.id;
      pool = hybrid.nodePools![0]!.id;
      ok(await s.api.post(`${beta}/clusters/${hybridCluster}`, { clusterType: 'HYBRID', workspaceIds: [ws] }));
    });

    /** The /v1 update body built from a /v1 read: change `changes`, keep everything else. */
    function v1UpdateFrom(d: Json, changes: Json): Json {
      const body: Json = {
        type: d.type, name: d.name, description: d.description, workspaceId: d.workspaceId, executor: d.executor,
        isCicdEnforced: d.isCicdEnforced, isDagDeployEnabled: d.isDagDeployEnabled, contactEmails: d.contactEmails,
        environmentVariables: d.environmentVariables.map((v: Json) => ({ key: v.key, isSecret: v.isSecret, ...(v.value !== undefined ? { value: v.value } : {}) })),
      };
      if (d.type === 'HYBRID') {
        body.scheduler = { au: d.schedulerAu, replicas: d.schedulerReplicas };
        body.workerQueues = d.workerQueues.map((q: Json) => ({ id: q.id, name: q.name, isDefault: q.isDefault, nodePoolId: q.nodePoolId, minWorkerCount: q.minWorkerCount, maxWorkerCount: q.maxWorkerCount, workerConcurrency: q.workerConcurrency }));
      } else {
        for (const k of ['schedulerSize', 'isHighAvailability', 'isDevelopmentMode', 'resourceQuotaCpu', 'resourceQuotaMemory', 'defaultTaskPodCpu', 'defaultTaskPodMemory']) body[k] = d[k];
        body.workerQueues = d.workerQueues.map((q: Json) => ({ id: q.id, name: q.name, isDefault: q.isDefault, astroMachine: q.astroMachine, minWorkerCount: q.minWorkerCount, maxWorkerCount: q.maxWorkerCount, workerConcurrency: q.workerConcurrency }));
      }
      return { ...body, ...changes };
    }

    const cases: [string, () => Json][] = [
      ['STANDARD', () => standardCreate(ws, {
        name: 'x-standard', description: 'tf made', contactEmails: ['ops@example.com', 'a@example.com'],
        environmentVariables: [{ key: 'B', isSecret: false, value: 'two' }, { key: 'A', isSecret: true, value: 's3cret' }],
        workerQueues: [hostedQueue('default'), hostedQueue('heavy', { astroMachine: 'A10', maxWorkerCount: 3 })],
      })],
      ['DEDICATED', () => dedicatedCreate(ws, dedicatedCluster, {
        name: 'x-dedicated', resourceQuotaCpu: '20', resourceQuotaMemory: '40Gi', defaultTaskPodCpu: '0.5', defaultTaskPodMemory: '1Gi',
        environmentVariables: [{ key: 'K', isSecret: false, value: '' }],
      })],
      ['HYBRID', () => hybridCreate(ws, hybridCluster, pool, {
        name: 'x-hybrid', scheduler: { au: 7, replicas: 2 },
        workerQueues: [hybridQueue('default', pool), hybridQueue('second', pool, { maxWorkerCount: 4 })],
      })],
    ];

    for (const [type, make] of cases) {
      it(`${type}: older → v1 → older → delete on v1`, async () => {
        const sent = make();
        const created = ok(await s.api.post(`${beta}/deployments`, sent));
        assertDeploymentEchoes(created, sent, `${type} create`);
        const id = created.id;
        assert.deepEqual(ok(await s.api.get(`${beta}/deployments/${id}`)), created, 'read right after create shows the object');
        const onV1 = ok(await s.api.get(`${v1}/deployments/${id}`));
        // On v1 the secret is not shown either; its update body leaves the value out: "keep it".
        const changed = ok(await s.api.post(`${v1}/deployments/${id}`, v1UpdateFrom(onV1, { name: `${sent.name}-v1`, description: 'changed on v1' })));
        assert.equal(changed.name, `${sent.name}-v1`);
        const back = ok(await s.api.get(`${beta}/deployments/${id}`));
        assert.equal(back.name, `${sent.name}-v1`);
        assert.equal(back.description, 'changed on v1');
        assertDeploymentEchoes(back, { ...sent, name: back.name, description: back.description }, `${type} read back`);
        // Queue ids are stable across the v1 update (it sent them).
        assert.deepEqual(back.workerQueues.map((q: Json) => [q.name, q.id]).sort(), created.workerQueues.map((q: Json) => [q.name, q.id]).sort());
        ok(await s.api.delete(`${v1}/deployments/${id}`), 204);
        await assertGoneEverywhere(s, `${beta}/deployments/${id}`, `${v1}/deployments/${id}`);
      });
    }

    it('STANDARD: the secret kept through a v1 update that omits its value is still there for the older surface', async () => {
      const sent = standardCreate(ws, { name: 'x-secret', environmentVariables: [{ key: 'S', isSecret: true, value: 'keep-me' }] });
      const created = ok(await s.api.post(`${beta}/deployments`, sent));
      const onV1 = ok(await s.api.get(`${v1}/deployments/${created.id}`));
      ok(await s.api.post(`${v1}/deployments/${created.id}`, v1UpdateFrom(onV1, {})));
      // The stored value is readable only through the Deployment's runtime; what we can see is
      // that the secret is still there, still secret, and that a non-secret switch shows a value.
      const back = ok(await s.api.get(`${beta}/deployments/${created.id}`));
      assert.deepEqual(back.environmentVariables.map((v: Json) => [v.key, v.isSecret, v.value ?? null]), [['S', true, null]]);
    });

    it('STANDARD: a queue\'s ephemeral storage set on v1 survives the provider\'s update on the older surface', async () => {
      const create = standardCreate(ws, { name: 'x-storage', workerQueues: [hostedQueue('default'), hostedQueue('big')] });
      const created = ok(await s.api.post(`${beta}/deployments`, create));
      const onV1 = ok(await s.api.get(`${v1}/deployments/${created.id}`));
      const body = v1UpdateFrom(onV1, {});
      body.workerQueues = body.workerQueues.map((q: Json) => (q.name === 'big' ? { ...q, podEphemeralStorage: '20Gi' } : q));
      const set = ok(await s.api.post(`${v1}/deployments/${created.id}`, body));
      assert.equal(set.workerQueues.find((q: Json) => q.name === 'big').podEphemeralStorage, '20Gi');
      // The provider's update: queues by name, no ids, no storage field (the older shape has none).
      const update = updateFrom(create, { workerQueues: [hostedQueue('big', { maxWorkerCount: 2 }), hostedQueue('default')] });
      const updated = ok(await s.api.post(`${beta}/deployments/${created.id}`, update));
      assertDeploymentEchoes(updated, update, 'older update');
      for (const q of updated.workerQueues) assert.ok(!('podEphemeralStorage' in q));
      const after = ok(await s.api.get(`${v1}/deployments/${created.id}`));
      const big = after.workerQueues.find((q: Json) => q.name === 'big');
      assert.equal(big.podEphemeralStorage, '20Gi');
      assert.equal(big.maxWorkerCount, 2);
      assert.ok(!('podEphemeralStorage' in after.workerQueues.find((q: Json) => q.name === 'default')));
      // A v1 update that leaves it out still clears it (v1's own rule is unchanged).
      const cleared = ok(await s.api.post(`${v1}/deployments/${created.id}`, v1UpdateFrom(after, {})));
      assert.ok(!('podEphemeralStorage' in cleared.workerQueues.find((q: Json) => q.name === 'big')));
    });

    for (const type of ['STANDARD', 'DEDICATED', 'HYBRID'] as const) {
      it(`${type}: v1 → import on older → update on older → v1`, async () => {
        const v1Body: Json = type === 'STANDARD'
          ? { type, name: `r-${type}`, workspaceId: ws, cloudProvider: 'AWS', region: 'us-east-1' }
          : type === 'DEDICATED'
            ? { type, name: `r-${type}`, workspaceId: ws, clusterId: dedicatedCluster }
            : { type, name: `r-${type}`, workspaceId: ws, clusterId: hybridCluster, executor: 'CELERY', scheduler: { au: 5, replicas: 1 },
              workerQueues: [{ name: 'default', isDefault: true, nodePoolId: pool, minWorkerCount: 0, maxWorkerCount: 10, workerConcurrency: 5 }] };
        const created = ok(await s.api.post(`${v1}/deployments`, v1Body));
        const imported = ok(await s.api.get(`${beta}/deployments/${created.id}`));
        assert.equal(imported.name, `r-${type}`);
        assert.equal(imported.workloadIdentity, created.effectiveWorkloadIdentity);
        assert.equal(imported.astroRuntimeVersion, created.astroRuntimeVersion);
        // The provider's update after import: the full desired state, queues without ids.
        const update: Json = type === 'HYBRID'
          ? updateFrom(hybridCreate(ws, hybridCluster, pool, {
            name: `r-${type}-tf`, executor: imported.executor, scheduler: { au: 6, replicas: 1 },
            workerQueues: [hybridQueue('default', pool, { maxWorkerCount: 8 })],
            environmentVariables: [{ key: 'X', isSecret: false, value: '1' }],
          }))
          : updateFrom(type === 'STANDARD' ? standardCreate(ws) : dedicatedCreate(ws, dedicatedCluster), {
            name: `r-${type}-tf`, executor: imported.executor,
            workerQueues: [hostedQueue('default', { maxWorkerCount: 8 })],
            environmentVariables: [{ key: 'X', isSecret: false, value: '1' }],
          });
        const updated = ok(await s.api.post(`${beta}/deployments/${created.id}`, update));
        assertDeploymentEchoes(updated, update, `${type} update on older`);
        // The default queue kept its id: matched by name.
        const oldDefault = created.workerQueues.find((q: Json) => q.name === 'default');
        assert.equal(updated.workerQueues.find((q: Json) => q.name === 'default').id, oldDefault.id);
        const onV1 = ok(await s.api.get(`${v1}/deployments/${created.id}`));
        assert.equal(onV1.name, `r-${type}-tf`);
        assert.deepEqual(onV1.environmentVariables.map((v: Json) => [v.key, v.value]), [['X', '1']]);
        assert.equal(onV1.workerQueues.find((q: Json) => q.name === 'default').maxWorkerCount, 8);
        if (type === 'HYBRID') assert.equal(onV1.schedulerAu, 6);
      });
    }
  });

  describe('API token', () => {
    let ws: string;
    let dep: string;
    before(async () => {
      ws = ok(await s.api.post(`${beta}/workspaces`, workspaceBody('tok-ws'))).id;
      dep = ok(await s.api.post(`${beta}/deployments`, standardCreate(ws, { name: 'tok-dep' }))).id;
    });

    const cases = (): [string, Json, Json[]][] => [
      ['ORGANIZATION', { name: 'x-org', description: '', type: 'ORGANIZATION', role: 'ORGANIZATION_MEMBER' },
        [{ entityType: 'ORGANIZATION', entityId: s.orgId, role: 'ORGANIZATION_MEMBER' }, { entityType: 'WORKSPACE', entityId: ws, role: 'WORKSPACE_AUTHOR' },
          // DAG roles name the dag (or tag) as entityId and carry their Deployment.
          { entityType: 'DAG', entityId: 'etl_daily', role: 'DAG_VIEWER', deploymentId: dep }, { entityType: 'DAG_TAG', entityId: 'finance', role: 'DAG_AUTHOR', deploymentId: dep }]],
      ['WORKSPACE', { name: 'x-ws', description: 'for ci', type: 'WORKSPACE', role: 'WORKSPACE_OPERATOR', entityId: ws, tokenExpiryPeriodInDays: 30 },
        [{ entityType: 'WORKSPACE', entityId: ws, role: 'WORKSPACE_OPERATOR' }, { entityType: 'DEPLOYMENT', entityId: dep, role: 'DEPLOYMENT_ADMIN' }]],
      ['DEPLOYMENT', { name: 'x-dep', description: '', type: 'DEPLOYMENT', role: 'DEPLOYMENT_ADMIN', entityId: dep },
        [{ entityType: 'DEPLOYMENT', entityId: dep, role: 'DEPLOYMENT_ADMIN' }]],
    ];

    for (let i = 0; i < 3; i++) {
      it(`${['ORGANIZATION', 'WORKSPACE', 'DEPLOYMENT'][i]}: older → v1 → older → delete on v1`, async () => {
        const [type, sent, roles] = cases()[i]!;
        const created = ok(await s.api.post(`${iam}/tokens`, sent));
        assert.equal(typeof created.token, 'string');
        assert.equal(created.type, type);
        const id = created.id;
        if (roles.length > 1) ok(await s.api.post(`${iam}/tokens/${id}/roles`, { roles }));
        const read = ok(await s.api.get(`${iam}/tokens/${id}`));
        assert.ok(!('token' in read) || !read.token, 'GET does not return the secret');
        assert.deepEqual(read.roles, roles);
        assert.equal(read.name, sent.name);
        if (sent.description) assert.equal(read.description, sent.description);
        else assert.ok(!read.description, 'an empty description reads as none');
        if (sent.tokenExpiryPeriodInDays) assert.equal(read.expiryPeriodInDays, sent.tokenExpiryPeriodInDays);
        else assert.ok(!('expiryPeriodInDays' in read) || read.expiryPeriodInDays === null, 'no expiry: expiryPeriodInDays absent');
        for (const k of ['shortToken', 'startAt', 'createdAt', 'updatedAt']) assert.ok(read[k], k);
        if (sent.tokenExpiryPeriodInDays) {
          assert.equal(Date.parse(read.endAt) - Date.parse(read.startAt), sent.tokenExpiryPeriodInDays * 86_400_000, 'endAt = startAt + expiry');
        } else {
          assert.ok(!read.endAt, 'no endAt without an expiry');
        }
        // v1 renames it and narrows its roles.
        const onV1 = ok(await s.api.get(`${v1}/tokens/${id}`));
        assert.equal(onV1.scope, type);
        ok(await s.api.post(`${v1}/tokens/${id}`, { name: `${sent.name}-v1`, description: 'v1 words' }));
        ok(await s.api.post(`${v1}/tokens/${id}/roles`, { roles: [roles[0]] }));
        const back = ok(await s.api.get(`${iam}/tokens/${id}`));
        assert.equal(back.name, `${sent.name}-v1`);
        assert.equal(back.description, 'v1 words');
        assert.equal(back.type, type);
        assert.deepEqual(back.roles, [roles[0]]);
        assert.equal(back.expiryPeriodInDays, read.expiryPeriodInDays);
        ok(await s.api.delete(`${v1}/tokens/${id}`), 204);
        await assertGoneEverywhere(s, `${iam}/tokens/${id}`, `${v1}/tokens/${id}`);
      });
    }

    it('v1 → import on older → update on older → v1, for each scope', async () => {
      for (const [scope, role, entityId] of [['ORGANIZATION', 'ORGANIZATION_MEMBER', undefined], ['WORKSPACE', 'WORKSPACE_MEMBER', ws], ['DEPLOYMENT', 'DEPLOYMENT_ADMIN', dep]] as const) {
        const created = ok(await s.api.post(`${v1}/tokens`, { name: `r-${scope}`, scope, role, ...(entityId ? { entityId } : {}) }));
        const imported = ok(await s.api.get(`${iam}/tokens/${created.id}`));
        assert.equal(imported.type, scope);
        assert.ok(!('scope' in imported));
        const primary = imported.roles[0];
        const extra = scope === 'DEPLOYMENT' ? [] : [{ entityType: 'DEPLOYMENT', entityId: dep, role: 'DEPLOYMENT_ADMIN' }];
        ok(await s.api.post(`${iam}/tokens/${created.id}/roles`, { roles: [primary, ...extra] }));
        const updated = ok(await s.api.post(`${iam}/tokens/${created.id}`, { name: `r-${scope}-tf`, description: '' }));
        assert.equal(updated.name, `r-${scope}-tf`);
        const onV1 = ok(await s.api.get(`${v1}/tokens/${created.id}`));
        assert.equal(onV1.name, `r-${scope}-tf`);
        assert.equal(onV1.scope, scope);
        assert.deepEqual(onV1.roles, [primary, ...extra]);
      }
    });
  });
});
