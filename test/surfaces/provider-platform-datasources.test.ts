import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertError } from '../helpers/client.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { registerHybridCluster } from '../../src/resources/clusters/service.js';
import { hybridCreate, paths, standardCreate, workspaceBody, type Json } from './provider-platform-fixture.js';

/**
 * The provider's list data sources on /platform/v1beta1 (astro_workspaces, astro_deployments,
 * astro_clusters, astro_cluster_options, astro_deployment_options) read as the provider reads
 * them: limit 1000, a loop `offset += 1000` until totalCount <= offset (so always one request past
 * the end), filters only when configured, and enum parameters sent empty when not configured.
 * Also astro_hybrid_cluster_workspace_authorization and the organization data source.
 */
describe('platform v1beta1: the provider\'s data sources, hybrid cluster authorization and organization', () => {
  let s: TestServer;
  let beta: string;
  let v1: string;
  const ws: string[] = [];
  const deps: string[] = [];
  before(async () => {
    s = await startServer();
    ({ beta, v1 } = paths(s));
    for (const name of ['ds-b', 'ds-a', 'ds-c']) ws.push((await s.api.post(`${beta}/workspaces`, workspaceBody(name))).body.id);
    for (const [i, name] of ['dep-1', 'dep-2', 'dep-3'].entries()) {
      const res = await s.api.post(`${beta}/deployments`, standardCreate(ws[i % 2]!, { name }));
      assert.equal(res.status, 200, res.text);
      deps.push(res.body.id);
    }
  });
  after(async () => { await s.close(); });

  const ok = (res: { status: number; text: string; body: any }, status = 200) => {
    assert.equal(res.status, status, res.text);
    return res.body;
  };

  /** The provider's paging loop over one list: returns every item and the number of requests. */
  async function readAll(path: string, key: string, query: Record<string, string[] | string> = {}): Promise<{ items: Json[]; calls: number }> {
    const items: Json[] = [];
    let offset = 0;
    let calls = 0;
    for (;;) {
      const page = ok(await s.api.get(path, { ...query, limit: 1000, offset }));
      calls++;
      assert.equal(page.limit, 1000);
      assert.equal(page.offset, offset);
      items.push(...page[key]);
      if (page.totalCount <= offset) break;
      offset += 1000;
    }
    return { items, calls };
  }

  it('astro_workspaces: all, by ids (unknown ids dropped), by names; the extra page past the end is empty', async () => {
    const all = await readAll(`${beta}/workspaces`, 'workspaces');
    assert.equal(all.calls, 2, 'one request at offset 1000 past the end');
    assert.deepEqual(all.items.map((w) => w.id).sort(), [...ws].sort());
    for (const w of all.items) {
      assert.equal(w.organizationId, s.orgId);
      for (const k of ['defaultCloudProvider', 'defaultClusterId', 'defaultRegion']) assert.ok(!(k in w), k);
    }
    const past = ok(await s.api.get(`${beta}/workspaces`, { limit: 1000, offset: 1000 }));
    assert.deepEqual(past.workspaces, []);
    assert.equal(past.totalCount, 3);
    const byIds = await readAll(`${beta}/workspaces`, 'workspaces', { workspaceIds: [ws[2]!, `c${'1'.repeat(24)}`] });
    assert.deepEqual(byIds.items.map((w) => w.id), [ws[2]]);
    const byNames = await readAll(`${beta}/workspaces`, 'workspaces', { names: ['ds-a', 'nope'] });
    assert.deepEqual(byNames.items.map((w) => w.name), ['ds-a']);
    // The same list on /v1.
    const onV1 = ok(await s.api.get(`${v1}/workspaces`, { limit: 1000 }));
    assert.deepEqual(onV1.workspaces.map((w: Json) => w.id).sort(), all.items.map((w) => w.id).sort());
  });

  it('astro_deployments: by workspace, ids and names; unknown values give an empty page, not an error', async () => {
    const all = await readAll(`${beta}/deployments`, 'deployments');
    assert.deepEqual(all.items.map((d) => d.id).sort(), [...deps].sort());
    for (const d of all.items) {
      assert.ok(d.workloadIdentity);
      assert.ok(!('effectiveWorkloadIdentity' in d));
      for (const k of ['id', 'createdAt', 'updatedAt', 'region', 'cloudProvider', 'astroRuntimeVersion', 'airflowVersion', 'namespace', 'imageTag', 'imageRepository', 'webServerIngressHostname', 'webServerUrl', 'webServerAirflowApiUrl', 'status']) {
        assert.ok(d[k], `${d.name}: ${k}`);
      }
      assert.ok(d.createdBy.id && d.updatedBy.id);
    }
    const inWs0 = await readAll(`${beta}/deployments`, 'deployments', { workspaceIds: [ws[0]!] });
    assert.deepEqual(inWs0.items.map((d) => d.name).sort(), ['dep-1', 'dep-3']);
    const byIdAndWs = await readAll(`${beta}/deployments`, 'deployments', { workspaceIds: [ws[0]!], deploymentIds: [deps[1]!] });
    assert.deepEqual(byIdAndWs.items, [], 'filters combine');
    const byNames = await readAll(`${beta}/deployments`, 'deployments', { names: ['dep-2'] });
    assert.deepEqual(byNames.items.map((d) => d.id), [deps[1]]);
    const unknown = await readAll(`${beta}/deployments`, 'deployments', { workspaceIds: [`c${'2'.repeat(24)}`], names: ['nothing'] });
    assert.deepEqual(unknown.items, []);
    assert.equal(unknown.calls, 1, 'totalCount 0 <= offset 0 ends the loop at once');
    // Names match exactly, not as prefixes.
    assert.deepEqual((await readAll(`${beta}/deployments`, 'deployments', { names: ['dep'] })).items, []);
    // An empty parameter is absent (as if the data source had no filter).
    const emptyFilters = ok(await s.api.request('GET', `${beta}/deployments?limit=1000&offset=0&workspaceIds=&names=`));
    assert.equal(emptyFilters.totalCount, 3);
  });

  it('astro_clusters: by provider and names, with provider sent empty meaning every provider', async () => {
    const aws = ok(await s.api.post(`${beta}/clusters`, {
      cloudProvider: 'AWS', name: 'c-aws', region: 'us-west-2', type: 'DEDICATED', vpcSubnetRange: '172.20.0.0/20', workspaceIds: [],
    })).id;
    const azure = ok(await s.api.post(`${beta}/clusters`, {
      cloudProvider: 'AZURE', name: 'c-azure', region: 'westus2', type: 'DEDICATED', vpcSubnetRange: '172.20.0.0/19', workspaceIds: [],
    })).id;
    const hybrid = await registerHybridCluster(s.app, { organizationId: s.orgId, name: 'c-hybrid', cloudProvider: 'AWS', region: 'us-east-1' });
    const all = await readAll(`${beta}/clusters`, 'clusters');
    assert.deepEqual(all.items.map((c) => c.id).sort(), [aws, azure, hybrid.id].sort());
    for (const c of all.items) {
      assert.ok(!('isPrivateNetworkEgressEnabled' in c));
      for (const k of ['id', 'name', 'cloudProvider', 'region', 'status', 'type', 'createdAt', 'updatedAt', 'dbInstanceType', 'vpcSubnetRange']) assert.ok(c[k], `${c.name}: ${k}`);
    }
    const onlyAws = await readAll(`${beta}/clusters`, 'clusters', { provider: 'AWS' });
    assert.deepEqual(onlyAws.items.map((c) => c.name).sort(), ['c-aws', 'c-hybrid']);
    const byName = await readAll(`${beta}/clusters`, 'clusters', { names: ['c-azure', 'none'] });
    assert.deepEqual(byName.items.map((c) => c.id), [azure]);
    const emptyProvider = ok(await s.api.request('GET', `${beta}/clusters?limit=1000&offset=0&provider=`));
    assert.equal(emptyProvider.totalCount, 3);
    assertError(await s.api.get(`${beta}/clusters`, { provider: 'ORACLE' }), 400);
  });

  it('astro_cluster_options: per provider and type; `provider=` (not configured) lists every provider', async () => {
    for (const [provider, region] of [['AWS', 'us-west-2'], ['AZURE', 'westus2'], ['GCP', 'us-east4']] as const) {
      const options = ok(await s.api.get(`${beta}/cluster-options`, { type: 'DEDICATED', provider })) as Json[];
      assert.ok(Array.isArray(options));
      assert.deepEqual(options.map((o) => o.provider), [provider]);
      const o = options[0]!;
      assert.ok(o.regions.some((r: Json) => r.name === region), `${provider} offers ${region}`);
      for (const k of ['defaultVpcSubnetRange', 'defaultRegion', 'nodeCountMin', 'nodeCountMax', 'nodeCountDefault', 'nodeInstances', 'databaseInstances', 'defaultNodeInstance', 'defaultDatabaseInstance']) {
        assert.ok(o[k] !== undefined, `${provider}: ${k}`);
      }
      assert.deepEqual(ok(await s.api.get(`${v1}/cluster-options`, { type: 'DEDICATED', provider })), options);
    }
    const every = ok(await s.api.request('GET', `${beta}/cluster-options?type=HYBRID&provider=`)) as Json[];
    assert.deepEqual(every.map((o) => o.provider).sort(), ['AWS', 'AZURE', 'GCP']);
    assertError(await s.api.get(`${beta}/cluster-options`, { type: 'SHARED' }), 400);
  });

  it('astro_deployment_options: with none, some or all parameters, empty ones treated as absent', async () => {
    const plain = ok(await s.api.get(`${beta}/deployment-options`));
    for (const k of ['executors', 'resourceQuotas', 'runtimeReleases', 'schedulerMachines', 'workerMachines', 'workerQueues']) assert.ok(plain[k], k);
    assert.ok(plain.runtimeReleases.length > 0);
    const empties = ok(await s.api.request('GET', `${beta}/deployment-options?deploymentId=&deploymentType=&executor=&cloudProvider=`));
    assert.deepEqual(empties, plain);
    const forDeployment = ok(await s.api.get(`${beta}/deployment-options`, { deploymentId: deps[0]! }));
    assert.ok(forDeployment.runtimeReleases.length > 0);
    const astro = ok(await s.api.request('GET', `${beta}/deployment-options?deploymentType=STANDARD&executor=ASTRO&cloudProvider=GCP`));
    assert.ok(astro.runtimeReleases.length > 0);
    assert.deepEqual(astro, ok(await s.api.get(`${v1}/deployment-options`, { deploymentType: 'STANDARD', executor: 'ASTRO', cloudProvider: 'GCP' })));
    assertError(await s.api.get(`${beta}/deployment-options`, { executor: 'LOCAL' }), 400);
  });

  it('astro_hybrid_cluster_workspace_authorization: create, read, update, unset, on the cluster mapping', async () => {
    const hybrid = await registerHybridCluster(s.app, { organizationId: s.orgId, name: 'auth-hybrid', cloudProvider: 'AWS', region: 'us-east-1' });
    const url = `${beta}/clusters/${hybrid.id}`;
    // Create: the whole set, clusterType always sent.
    const created = ok(await s.api.post(url, { clusterType: 'HYBRID', workspaceIds: [ws[1]!, ws[0]!] }));
    assert.deepEqual([...created.workspaceIds].sort(), [ws[0], ws[1]].sort());
    // The provider then polls the cluster until a target status: CREATED at once.
    const polled = ok(await s.api.get(url));
    assert.equal(polled.status, 'CREATED');
    assert.deepEqual([...polled.workspaceIds].sort(), [ws[0], ws[1]].sort());
    assert.deepEqual([...ok(await s.api.get(`${v1}/clusters/${hybrid.id}`)).workspaceIds].sort(), [ws[0], ws[1]].sort());
    // Update: the new full set.
    const updated = ok(await s.api.post(url, { clusterType: 'HYBRID', workspaceIds: [ws[2]!] }));
    assert.deepEqual(updated.workspaceIds, [ws[2]]);
    // The mapping is what it means: a Workspace left out cannot put a Deployment on the cluster.
    const pool = hybrid.nodePools![0]!.id;
    const hybridBody = (workspaceId: string) => hybridCreate(workspaceId, hybrid.id, pool, { name: `on-${workspaceId.slice(-4)}` });
    assertError(await s.api.post(`${beta}/deployments`, hybridBody(ws[0]!)), 400, 'clusterId');
    const allowed = ok(await s.api.post(`${beta}/deployments`, hybridBody(ws[2]!)));
    ok(await s.api.delete(`${beta}/deployments/${allowed.id}`), 204);
    // Delete (and an unset workspace_ids): an empty list; the read shows none (empty or absent).
    const cleared = ok(await s.api.post(url, { clusterType: 'HYBRID', workspaceIds: [] }));
    assert.ok(!cleared.workspaceIds || cleared.workspaceIds.length === 0, JSON.stringify(cleared.workspaceIds));
    assert.equal(ok(await s.api.get(url)).status, 'CREATED');
    // The dedicated update shape does not fit a hybrid cluster, nor the hybrid one a dedicated cluster.
    assertError(await s.api.post(url, { clusterType: 'DEDICATED', name: 'x', k8sTags: [], workspaceIds: [] }), 400);
    const dedicated = ok(await s.api.post(`${beta}/clusters`, {
      cloudProvider: 'AWS', name: 'auth-ded', region: 'us-west-2', type: 'DEDICATED', vpcSubnetRange: '172.20.0.0/20', workspaceIds: [],
    })).id;
    assertError(await s.api.post(`${beta}/clusters/${dedicated}`, { clusterType: 'HYBRID', workspaceIds: [] }), 400);
    // A Workspace that does not exist cannot be authorized; the same one twice is refused.
    const missing = await s.api.post(url, { clusterType: 'HYBRID', workspaceIds: [`c${'3'.repeat(24)}`] });
    assert.ok(missing.status === 400 || missing.status === 404, missing.text);
    assertError(await s.api.post(url, { clusterType: 'HYBRID', workspaceIds: [ws[0]!, ws[0]!] }), 400);
    // An unknown cluster: 404, which drops the authorization from state.
    assertError(await s.api.post(`${beta}/clusters/c${'4'.repeat(24)}`, { clusterType: 'HYBRID', workspaceIds: [] }), 404);
    assertError(await s.api.get(`${beta}/clusters/c${'4'.repeat(24)}`), 404);
  });

  it('astro_hybrid_cluster_workspace_authorization: a deleted Workspace leaves the mapping', async () => {
    const hybrid = await registerHybridCluster(s.app, { organizationId: s.orgId, name: 'auth-hybrid-2', cloudProvider: 'AWS', region: 'us-east-1' });
    const gone = ok(await s.api.post(`${beta}/workspaces`, workspaceBody('short-lived'))).id;
    ok(await s.api.post(`${beta}/clusters/${hybrid.id}`, { clusterType: 'HYBRID', workspaceIds: [gone, ws[0]!] }));
    ok(await s.api.delete(`${beta}/workspaces/${gone}`), 204);
    assert.deepEqual(ok(await s.api.get(`${beta}/clusters/${hybrid.id}`)).workspaceIds, [ws[0]]);
  });

  it('astro_organization data source: the older shape with supportPlan; update on platform shows on v1', async () => {
    const org = ok(await s.api.get(beta));
    const onV1 = ok(await s.api.get(v1));
    for (const k of ['id', 'name', 'createdAt', 'updatedAt', 'isScimEnabled', 'allowEnhancedSupportAccess', 'shouldEnforceDedicatedClusters']) {
      assert.deepEqual(org[k], onV1[k], k);
    }
    assert.ok(org.createdBy.id && org.updatedBy.id);
    assert.equal(typeof org.supportPlan, 'string');
    assert.equal(org.supportPlan, onV1.productPlans[0]?.productPlanName ?? 'INACTIVE');
    assert.ok(['HOSTED', 'HYBRID'].includes(org.product), 'product set');
    for (const k of ['hasAllowedIpAddressRanges', 'isBlockedEnableAiFeatures', 'hasAiFeaturesDisabled']) assert.ok(!(k in org), k);
    for (const p of org.productPlans ?? []) {
      assert.deepEqual(Object.keys(p).sort(), ['astronomerProduct', 'organizationId', 'productPlanId', 'productPlanName']);
    }
    // A scoped token reads its own Organization as well (the provider's team resource checks SCIM with it).
    const wsToken = await s.withRoles('WORKSPACE', ws[0]!, [{ entityType: 'WORKSPACE', entityId: ws[0]!, role: 'WORKSPACE_MEMBER' }]);
    assert.equal(ok(await wsToken.get(beta)).id, s.orgId);
    // Update on platform: the change visible on v1 and in the older read; optional flags kept.
    const updated = ok(await s.api.post(beta, {
      name: 'Renamed Org', billingEmail: 'billing@example.com', isScimEnabled: true, allowEnhancedSupportAccess: true,
    }));
    assert.equal(updated.name, 'Renamed Org');
    assert.equal(updated.isScimEnabled, true);
    assert.equal(updated.supportPlan, org.supportPlan);
    const after = ok(await s.api.get(v1));
    assert.equal(after.name, 'Renamed Org');
    assert.equal(after.billingEmail, 'billing@example.com');
    assert.equal(after.allowEnhancedSupportAccess, true);
    assert.equal(after.shouldEnforceDedicatedClusters, onV1.shouldEnforceDedicatedClusters);
    assert.deepEqual(ok(await s.api.get(beta)), updated);
    // Without the required fields: 400; another Organization: 403 or 404.
    assertError(await s.api.post(beta, { name: 'x' }), 400);
    const other = await s.api.get(`/platform/v1beta1/organizations/c${'5'.repeat(24)}`);
    assert.ok(other.status === 403 || other.status === 404, other.text);
  });
});
