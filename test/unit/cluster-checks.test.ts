import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  checkDbInstance, checkPools, checkRanges, checkRegion, checkSecondaryCidr, checkUpdatedPools, normalizeTags, supportedMachines,
} from '../../src/resources/clusters/checks.js';
import { CLUSTER_REGIONS, DATABASE_INSTANCES, DEFAULT_DATABASE_INSTANCE, DEFAULT_NODE_INSTANCE, NODE_COUNT, NODE_INSTANCES } from '../../src/platform/catalog.js';

/** The one field error `run` throws as a 400: [field, code, message]. */
function refusal(run: () => unknown): [string, string, string] {
  let thrown: unknown;
  try {
    run();
  } catch (err) {
    thrown = err;
  }
  assert.ok(thrown !== undefined, 'the request was accepted');
  const e = thrown as { statusCode?: number; fieldErrors?: { field: string; code: string; message: string }[] };
  assert.equal(e.statusCode, 400, `not a 400: ${String(thrown)}`);
  assert.equal(e.fieldErrors?.length, 1, `expected one field error: ${JSON.stringify(e.fieldErrors)}`);
  const [f] = e.fieldErrors!;
  return [f!.field, f!.code, f!.message];
}

const pool = (name: string, nodeInstanceType = 'm5.xlarge', extra: { id?: string; maxNodeCount?: number; isDefault?: boolean } = {}) => ({ name, nodeInstanceType, maxNodeCount: 5, ...extra });

describe('cluster checks: regions and database instances', () => {
  it('takes a region of the cluster type\'s list and names the list otherwise', () => {
    assert.doesNotThrow(() => checkRegion('DEDICATED', 'AWS', 'us-east-1'));
    assert.doesNotThrow(() => checkRegion('HYBRID', 'AWS', 'af-south-1'), 'HYBRID AWS has more regions');
    assert.deepEqual(refusal(() => checkRegion('DEDICATED', 'AWS', 'af-south-1')),
      ['region', 'oneof', `region must be one of [${CLUSTER_REGIONS.DEDICATED.AWS.map((r) => r.name).join(' ')}] for DEDICATED AWS clusters`]);
    assert.deepEqual(refusal(() => checkRegion('DEDICATED', 'GCP', 'us-east-1'))[0], 'region', 'another provider\'s region');
    assert.deepEqual(refusal(() => checkRegion('DEDICATED', 'AZURE', 'EastUS2'))[1], 'oneof', 'names are compared exactly');
  });

  it('defaults the database instance per provider and takes only the provider\'s types', () => {
    assert.equal(checkDbInstance('GCP', undefined), DEFAULT_DATABASE_INSTANCE.GCP);
    assert.equal(checkDbInstance('AZURE', ''), DEFAULT_DATABASE_INSTANCE.AZURE);
    assert.equal(checkDbInstance('AWS', 'db.r5.large'), 'db.r5.large');
    assert.deepEqual(refusal(() => checkDbInstance('AWS', 'Standard_D2ds_v4')),
      ['dbInstanceType', 'oneof', `dbInstanceType must be one of [${DATABASE_INSTANCES.AWS.map((d) => d.name).join(', ')}] for AWS`]);
  });
});

describe('cluster checks: network ranges', () => {
  it('skips ranges not given and takes ranges that do not overlap, adjacent ones included', () => {
    assert.doesNotThrow(() => checkRanges([['vpcSubnetRange', '172.20.0.0/20'], ['podSubnetRange', undefined], ['serviceSubnetRange', '172.20.16.0/20']]));
    assert.doesNotThrow(() => checkRanges([]));
  });

  it('names a range that is not an IPv4 CIDR, quoting it', () => {
    assert.deepEqual(refusal(() => checkRanges([['vpcSubnetRange', '172.20.0.0']])), ['vpcSubnetRange', 'cidrv4', 'vpcSubnetRange must be an IPv4 CIDR such as 172.20.0.0/20, got "172.20.0.0"']);
  });

  it('reports an overlap on the later range, naming the earlier one', () => {
    assert.deepEqual(refusal(() => checkRanges([['podSubnetRange', '100.64.0.0/16'], ['vpcSubnetRange', '100.64.128.0/20']])),
      ['vpcSubnetRange', 'overlap', 'vpcSubnetRange 100.64.128.0/20 overlaps podSubnetRange 100.64.0.0/16']);
    assert.deepEqual(refusal(() => checkRanges([['a', '10.0.0.0/24'], ['b', '10.1.0.0/24'], ['c', '10.0.0.128/25']])), ['c', 'overlap', 'c 10.0.0.128/25 overlaps a 10.0.0.0/24']);
  });

  it('takes secondary ranges with a prefix from /16 to /20, leaving malformed ones to the range check', () => {
    for (const prefix of [16, 18, 20]) assert.doesNotThrow(() => checkSecondaryCidr('drVpcSubnetRange', `10.0.0.0/${prefix}`));
    assert.deepEqual(refusal(() => checkSecondaryCidr('drVpcSubnetRange', '10.0.0.0/15')), ['drVpcSubnetRange', 'cidr_prefix', 'drVpcSubnetRange must have a prefix length from /16 to /20, got /15']);
    assert.deepEqual(refusal(() => checkSecondaryCidr('drVpcSubnetRange', '10.0.0.0/21')), ['drVpcSubnetRange', 'cidr_prefix', 'drVpcSubnetRange must have a prefix length from /16 to /20, got /21']);
    assert.doesNotThrow(() => checkSecondaryCidr('drVpcSubnetRange', undefined));
    assert.doesNotThrow(() => checkSecondaryCidr('drVpcSubnetRange', 'nonsense'));
  });
});

describe('cluster checks: tags', () => {
  it('keeps tags in order with only the parts sent', () => {
    assert.equal(normalizeTags(undefined), '[]');
    assert.equal(normalizeTags([{ key: 'team', value: 'data' }, { key: 'bare' }, { value: 'orphan' }, {}]), '[{"key":"team","value":"data"},{"key":"bare"},{"value":"orphan"},{}]');
  });
});

describe('cluster checks: node pools', () => {
  it('gives a cluster without pools the provider\'s default pool', () => {
    for (const provider of ['AWS', 'AZURE', 'GCP'] as const) {
      const expected = [{ name: 'default', nodeInstanceType: DEFAULT_NODE_INSTANCE[provider], maxNodeCount: NODE_COUNT.default, isDefault: true }];
      assert.deepEqual(checkPools(provider, undefined), expected);
      assert.deepEqual(checkPools(provider, []), expected);
    }
  });

  it('makes the first pool the default unless one is flagged, and refuses two flagged', () => {
    assert.deepEqual(checkPools('AWS', [pool('a'), pool('b')]).map((p) => [p.name, p.isDefault]), [['a', true], ['b', false]]);
    assert.deepEqual(checkPools('AWS', [pool('a', 'm5.xlarge', { isDefault: false }), pool('b', 'm5.xlarge', { isDefault: true })]).map((p) => [p.name, p.isDefault]), [['a', false], ['b', true]]);
    assert.deepEqual(checkPools('AWS', [pool('a', 'm5.xlarge', { isDefault: false }), pool('b', 'm5.xlarge', { isDefault: false })]).map((p) => p.isDefault), [true, false], 'all flagged false: the first');
    assert.deepEqual(refusal(() => checkPools('AWS', [pool('a', 'm5.xlarge', { isDefault: true }), pool('b', 'm5.xlarge', { isDefault: true })])), ['nodePools', 'default', 'only one node pool can be the default']);
  });

  it('keeps the ids sent', () => {
    assert.deepEqual(checkPools('AWS', [pool('a', 'm5.xlarge', { id: 'p1' }), pool('b')]).map((p) => p.id), ['p1', undefined]);
  });

  it('requires a name used once, an instance type of the provider, and a node count in range', () => {
    assert.deepEqual(refusal(() => checkPools('AWS', [pool(' ')])), ['nodePools[0].name', 'required', 'nodePools[0].name is required']);
    assert.deepEqual(refusal(() => checkPools('AWS', [pool('a'), pool('a')])), ['nodePools[1].name', 'unique', 'nodePools[1].name "a" is used by another node pool']);
    assert.deepEqual(refusal(() => checkPools('GCP', [pool('a', 'm5.xlarge')])),
      ['nodePools[0].nodeInstanceType', 'oneof', `nodePools[0].nodeInstanceType must be one of [${NODE_INSTANCES.GCP.map((i) => i.name).join(' ')}] for GCP`]);
    assert.deepEqual(checkPools('AWS', [pool('a', 'm5.xlarge', { maxNodeCount: NODE_COUNT.min }), pool('b', 'm5.xlarge', { maxNodeCount: NODE_COUNT.max })]).map((p) => p.maxNodeCount), [2, 100]);
    assert.deepEqual(refusal(() => checkPools('AWS', [pool('a', 'm5.xlarge', { maxNodeCount: NODE_COUNT.min - 1 })])), ['nodePools[0].maxNodeCount', 'min', 'nodePools[0].maxNodeCount must be greater than or equal to 2']);
    assert.deepEqual(refusal(() => checkPools('AWS', [pool('a', 'm5.xlarge', { maxNodeCount: NODE_COUNT.max + 1 })])), ['nodePools[0].maxNodeCount', 'max', 'nodePools[0].maxNodeCount must be less than or equal to 100']);
  });

  it('on an update, requires a pool and each id once', () => {
    assert.deepEqual(refusal(() => checkUpdatedPools('AWS', [])), ['nodePools', 'min', 'nodePools must contain at least 1 item: a cluster needs a default node pool']);
    assert.deepEqual(refusal(() => checkUpdatedPools('AWS', [pool('a', 'm5.xlarge', { id: 'p1' }), pool('b', 'm5.xlarge', { id: 'p1' })])), ['nodePools[1].id', 'unique', 'nodePools[1].id appears more than once']);
    assert.deepEqual(checkUpdatedPools('AWS', [pool('a', 'm5.xlarge', { id: 'p1' }), pool('b')]).map((p) => [p.id, p.name]), [['p1', 'a'], [undefined, 'b']]);
  });

  it('lets a dedicated pool run the worker types whose vCPUs fit its instance, and says nothing for HYBRID pools', () => {
    assert.equal(supportedMachines('HYBRID', 'AWS', 'm5.xlarge'), null);
    assert.deepEqual(JSON.parse(supportedMachines('DEDICATED', 'AWS', 't3.medium')!), ['A5', 'A10']);
    assert.deepEqual(JSON.parse(supportedMachines('DEDICATED', 'AWS', 'm5.xlarge')!), ['A5', 'A10', 'A20']);
    assert.deepEqual(JSON.parse(supportedMachines('DEDICATED', 'AZURE', 'Standard_D16d_v5')!), ['A5', 'A10', 'A20', 'A40', 'A60']);
    assert.deepEqual(JSON.parse(supportedMachines('DEDICATED', 'GCP', 'e2-standard-8')!), ['A5', 'A10', 'A20', 'A40']);
    assert.deepEqual(JSON.parse(supportedMachines('DEDICATED', 'AWS', 'm5.8xlarge')!), ['A5', 'A10', 'A20', 'A40', 'A60', 'A120', 'A160']);
  });

  it('makes up no worker types for an instance type the catalogue does not list', () => {
    assert.throws(() => supportedMachines('DEDICATED', 'AWS', 'e2-standard-4'), { message: 'node instance type e2-standard-4 is not in the platform catalogue\'s AWS NODE_INSTANCES: checkPools must run first' });
  });
});
