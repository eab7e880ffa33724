import assert from 'node:assert/strict';
import { defaultOrderPageTests } from '../helpers/list-pages.js';

/**
 * The Deployments' list: two Workspaces, so the per-Workspace counts (totalCount of a list
 * filtered by workspaceIds) are checked beside the Organization's list.
 */
defaultOrderPageTests({
  list: 'deployments',
  setup: async (s) => {
    const ws: string[] = [];
    for (const name of ['pages a', 'pages b']) {
      const res = await s.api.post(`/v1/organizations/${s.orgId}/workspaces`, { name, defaultCloudProvider: 'AWS', defaultRegion: 'us-east-1' });
      assert.equal(res.status, 200, res.text);
      ws.push(res.body.id);
    }
    return (i) => ({ name: `page-${i}`, workspaceId: ws[i % 3 === 0 ? 1 : 0] });
  },
  extra: async (s, base, expected) => {
    const inA = expected.filter((d) => d.workspaceId === expected[0]!.workspaceId);
    const a = await s.api.get(base, { workspaceIds: expected[0]!.workspaceId, offset: 0, limit: 5 });
    assert.equal(a.status, 200, a.text);
    assert.equal(a.body.totalCount, inA.length);
    assert.deepEqual(a.body.deployments.map((d: { id: string }) => d.id), inA.slice(0, 5).map((d) => d.id));
    const byName = await s.api.get(base, { sorts: 'name:desc', offset: 0, limit: 1 });
    assert.equal(byName.status, 200, byName.text);
    assert.equal(byName.body.totalCount, expected.length);
  },
});
