import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { startServer, type TestServer } from '../helpers/server.js';
import { registerHybridCluster } from '../../src/resources/clusters/service.js';

type Json = Record<string, any>;

const AWS_EXAMPLE_ACCOUNT = '123456789012';
const NIL_UUID = '00000000-0000-0000-0000-000000000000';
const DOC_RANGES = [/^203\.0\.113\.\d+$/, /^198\.51\.100\.\d+$/];

/** The host names a generated value names: URL hosts, e-mail domains. */
function hostsIn(value: string): string[] {
  if (/^https?:\/\//.test(value)) return [new URL(value).hostname];
  const at = value.lastIndexOf('@');
  if (at > 0) return [value.slice(at + 1)];
  // A bare host, or host/path (webServerUrl, imageRepository).
  if (/^[a-z0-9.-]+\.[a-z]+(\/|$)/.test(value)) return [value.split('/')[0]!];
  return [];
}

/** Every generated host must be one that never resolves (.invalid) or stays on the machine (.localhost). */
function assertReservedHosts(label: string, values: (string | undefined)[]): void {
  for (const v of values) {
    if (v === undefined) continue;
    for (const host of hostsIn(v)) assert.match(host, /\.(invalid|localhost)$/, `${label}: ${v} names the host ${host}`);
  }
}

/** Generated external addresses are in the documentation ranges of RFC 5737. */
function assertDocAddresses(label: string, ips: string[] | undefined): void {
  for (const ip of ips ?? []) assert.ok(DOC_RANGES.some((r) => r.test(ip)), `${label}: ${ip} is outside the documentation ranges`);
}

/** A generated identity names no real account: AWS's documentation account, the nil subscription, a GCP project on a .invalid domain. */
function assertReservedIdentity(label: string, provider: string, identity: string, ownAccount?: string): void {
  if (provider === 'AWS') {
    const account = /^arn:aws:iam::(\d{12}):role\/[\w+=,.@-]+$/.exec(identity)?.[1];
    assert.equal(account, ownAccount ?? AWS_EXAMPLE_ACCOUNT, `${label}: ${identity}`);
  } else if (provider === 'AZURE') {
    const sub = /^\/subscriptions\/([0-9a-f-]{36})\/resourceGroups\/[\w.-]+\/providers\/Microsoft\.ManagedIdentity\/userAssignedIdentities\/[\w-]+$/.exec(identity)?.[1];
    assert.equal(sub, ownAccount ?? NIL_UUID, `${label}: ${identity}`);
  } else {
    assert.match(identity, /^[a-z0-9-]+@[a-z0-9-]+\.iam\.gserviceaccount\.com(\.invalid)?$/, `${label}: ${identity}`);
    if (ownAccount) assert.ok(identity.endsWith(`@${ownAccount}.iam.gserviceaccount.com`), `${label}: ${identity}`);
    else assert.ok(identity.endsWith('.iam.gserviceaccount.com.invalid'), `${label}: ${identity}`);
  }
}

/**
 * The values the server makes up for clusters and Deployments (domain.md §1.1 read-only fields, §2.2
 * metadata) keep their providers' formats but name nothing real: hosts under .invalid or
 * .localhost, RFC 5737 addresses, AWS's documentation account, the nil Azure subscription. Each
 * entity keeps its own values.
 */
describe('simulated values use reserved names and numbers', () => {
  let s: TestServer;
  let base: string;
  before(async () => {
    s = await startServer();
    base = `/v1/organizations/${s.orgId}`;
  });
  after(async () => { await s.close(); });

  const post = async (path: string, body: Json): Promise<Json> => {
    const res = await s.api.post(`${base}${path}`, body);
    assert.equal(res.status, 200, res.text);
    return res.body;
  };

  it('in cluster metadata, Deployment addresses, issuers and default identities, for every provider and on the DR side', async () => {
    const clusters = [
      await post('/clusters', { cloudProvider: 'AWS', type: 'DEDICATED', name: 'aws', region: 'us-east-1', vpcSubnetRange: '172.20.0.0/20', drRegion: 'us-west-2' }),
      await post('/clusters', { cloudProvider: 'AZURE', type: 'DEDICATED', name: 'azure', region: 'eastus2', vpcSubnetRange: '172.20.0.0/19' }),
      await post('/clusters', {
        cloudProvider: 'GCP', type: 'DEDICATED', name: 'gcp', region: 'us-central1', vpcSubnetRange: '172.20.0.0/22',
        podSubnetRange: '100.64.0.0/16', serviceSubnetRange: '100.65.0.0/22', servicePeeringRange: '100.66.0.0/21',
      }),
    ];
    const ws = await post('/workspaces', { name: 'values' });
    const deployments: Json[] = [];
    for (const c of clusters) {
      assertReservedHosts(c.name, [c.metadata.oidcIssuerUrl]);
      assertDocAddresses(c.name, c.metadata.externalIPs);
      deployments.push(await post('/deployments', { name: `on ${c.name}`, workspaceId: ws.id, clusterId: c.id }));
    }
    for (const [provider, region] of [['AWS', 'us-east-1'], ['AZURE', 'eastus2'], ['GCP', 'us-central1']]) {
      deployments.push(await post('/deployments', { name: `standard ${provider}`, workspaceId: ws.id, cloudProvider: provider, region }));
    }
    for (const d of deployments) {
      const label = d.name as string;
      assertReservedHosts(label, [d.oidcIssuerUrl, d.drOidcIssuerUrl, d.webServerIngressHostname, d.webServerUrl, d.webServerAirflowApiUrl, d.uiUrl, d.apiUrl, d.imageRepository, d.effectiveWorkloadIdentity, d.effectiveDRWorkloadIdentity]);
      assertDocAddresses(label, d.externalIPs);
      assertDocAddresses(label, d.drExternalIPs);
      assertReservedIdentity(label, d.cloudProvider, d.effectiveWorkloadIdentity);
      if (d.effectiveDRWorkloadIdentity) assertReservedIdentity(`${label} (DR)`, d.cloudProvider, d.effectiveDRWorkloadIdentity);
      const options = (await s.api.get(`${base}/deployment-options`, { deploymentId: d.id })).body;
      for (const o of options.workloadIdentityOptions) assertReservedIdentity(`${label} options`, d.cloudProvider, o.role);
    }
    const aws = deployments[0]!;
    assert.ok(aws.drOidcIssuerUrl, 'the DR side is covered');
    assert.match(aws.drOidcIssuerUrl, /^https:\/\/oidc\.eks\.us-west-2\.amazonaws\.com\.invalid\/id\/[0-9A-F]{32}$/);
  });

  it('keeps each entity\'s values its own and stable', async () => {
    const a = await post('/clusters', { cloudProvider: 'AWS', type: 'DEDICATED', name: 'a', region: 'us-east-1', vpcSubnetRange: '172.20.0.0/20' });
    const b = await post('/clusters', { cloudProvider: 'AWS', type: 'DEDICATED', name: 'b', region: 'us-east-1', vpcSubnetRange: '172.20.0.0/20' });
    assert.notEqual(a.metadata.oidcIssuerUrl, b.metadata.oidcIssuerUrl);
    assert.deepEqual((await s.api.get(`${base}/clusters/${a.id}`)).body.metadata, a.metadata);
    const ws = await post('/workspaces', { name: 'stable' });
    const da = await post('/deployments', { name: 'da', workspaceId: ws.id, clusterId: a.id });
    const db = await post('/deployments', { name: 'db', workspaceId: ws.id, clusterId: b.id });
    assert.notEqual(da.effectiveWorkloadIdentity, db.effectiveWorkloadIdentity, 'the role name tells the clusters apart');
    assert.equal((await s.api.get(`${base}/deployments/${da.id}`)).body.effectiveWorkloadIdentity, da.effectiveWorkloadIdentity);
  });

  it('uses a cluster\'s own provider account and tenant as given', async () => {
    const hybrid = await registerHybridCluster(s.app, { organizationId: s.orgId, name: 'own account', cloudProvider: 'AWS', region: 'us-east-1', providerAccount: '210987654321' });
    const ws = await post('/workspaces', { name: 'own' });
    const d = await post('/deployments', { name: 'in own account', workspaceId: ws.id, clusterId: hybrid.id });
    assertReservedIdentity('hybrid', 'AWS', d.effectiveWorkloadIdentity, '210987654321');
    const tenant = '82ab587e-33f8-47a2-8909-b9269551d45c';
    const azure = await post('/clusters', { cloudProvider: 'AZURE', type: 'DEDICATED', name: 'tenant', region: 'eastus2', vpcSubnetRange: '172.20.0.0/19', tenantId: tenant });
    assert.ok(azure.metadata.oidcIssuerUrl.startsWith(`https://eastus2.oic.prod-aks.azure.com.invalid/${tenant}/`), azure.metadata.oidcIssuerUrl);
  });
});

describe('simulated values: clusters stored before reserved hosts', () => {
  let s: TestServer;
  before(async () => { s = await startServer(); });
  after(async () => { await s.close(); });

  it('read with .invalid issuer hosts after the upgrade, everything else kept', async () => {
    const base = `/v1/organizations/${s.orgId}/clusters`;
    const made: Json[] = [];
    for (const body of [
      { cloudProvider: 'AWS', type: 'DEDICATED', name: 'old aws', region: 'us-east-1', vpcSubnetRange: '172.20.0.0/20' },
      { cloudProvider: 'AZURE', type: 'DEDICATED', name: 'old azure', region: 'eastus2', vpcSubnetRange: '172.20.0.0/19' },
      { cloudProvider: 'GCP', type: 'DEDICATED', name: 'old gcp', region: 'us-central1', vpcSubnetRange: '172.20.0.0/22', podSubnetRange: '100.64.0.0/16', serviceSubnetRange: '100.65.0.0/22', servicePeeringRange: '100.66.0.0/21' },
    ]) made.push((await s.api.post(base, body)).body);
    // What a store written by the previous version holds: the providers' real hosts.
    for (const c of made) {
      const old = { ...c.metadata, oidcIssuerUrl: c.metadata.oidcIssuerUrl.replace('.invalid/', '/') };
      assert.doesNotMatch(old.oidcIssuerUrl, /\.invalid/);
      await s.app.db.updateTable('clusters').set({ metadata: JSON.stringify(old) }).where('id', '=', c.id).execute();
    }
    await sql`delete from kysely_migration where name = '014_reserved_cluster_metadata'`.execute(s.app.db);
    // A server started on that store runs the migration.
    const upgraded = await startServer({}, { sameStoreAs: s });
    try {
      for (const c of made) {
        const read = (await upgraded.api.get(`${base}/${c.id}`)).body;
        assert.deepEqual(read.metadata, c.metadata, c.name);
      }
    } finally {
      await upgraded.close();
    }
  });
});
