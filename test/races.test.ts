import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ApiResponse } from './helpers/client.js';
import { startServer, type TestServer } from './helpers/server.js';

type Json = Record<string, any>;

const ROUNDS = 30;
const AWS = { cloudProvider: 'AWS', type: 'DEDICATED', region: 'us-east-1', vpcSubnetRange: '172.20.0.0/20' };

/**
 * Writes that race the deletion of the workspace they touch or name. On SQLite the server runs
 * one transaction at a time, so this mostly checks the answers; on PostgreSQL the requests of a
 * round really interleave (a check, then another transaction's delete, then the write). Whatever
 * the interleaving, each answer must be a success or a 4xx in the error shape, exactly one delete
 * may win, and no cluster may be left naming the deleted workspace.
 */
describe('races: writes racing a workspace delete', () => {
  let s: TestServer;
  let org: string;
  let cluster: Json;
  before(async () => {
    s = await startServer();
    org = `/v1/organizations/${s.orgId}`;
    const res = await s.api.post(`${org}/clusters`, { ...AWS, name: 'shared' });
    assert.equal(res.status, 200, res.text);
    cluster = res.body;
  });
  after(async () => { await s.close(); });

  it(`answers 2xx or 4xx and leaves no dangling reference, over ${ROUNDS} rounds`, async (t) => {
    const failures: string[] = [];
    const seen = new Map<string, number>();
    for (let round = 0; round < ROUNDS; round++) {
      const ws = await s.api.post(`${org}/workspaces`, { name: `race-${round}` });
      assert.equal(ws.status, 200, ws.text);
      const wsPath = `${org}/workspaces/${ws.body.id}`;
      const requests: [string, () => Promise<ApiResponse>, number[]][] = [
        ['UpdateWorkspace', () => s.api.post(wsPath, { name: `renamed-${round}`, description: 'd', cicdEnforcedDefault: true }), [200, 404]],
        ['DeleteWorkspace', () => s.api.delete(wsPath), [204, 404]],
        ['DeleteWorkspace', () => s.api.delete(wsPath), [204, 404]],
        ['CreateCluster', () => s.api.post(`${org}/clusters`, { ...AWS, name: `race-${round}`, workspaceIds: [ws.body.id] }), [200, 400]],
        ['UpdateCluster', () => s.api.post(`${org}/clusters/${cluster.id}`, { clusterType: 'DEDICATED', name: cluster.name, k8sTags: [], workspaceIds: [ws.body.id] }), [200, 400]],
      ];
      // A different order each round, so each request is sometimes first to reach the store.
      const order = requests.map((_, i) => requests[(i + round) % requests.length]!);
      const answers = await Promise.all(order.map(([, send]) => send()));
      answers.forEach((res, i) => {
        const [name, , allowed] = order[i]!;
        // Counted apart: a reference that vanished between the check and the insert (the foreign key caught it).
        const key = `${name} ${res.status}${/no longer exists/.test(res.body?.message ?? '') ? ' (at insert)' : ''}`;
        seen.set(key, (seen.get(key) ?? 0) + 1);
        if (!allowed.includes(res.status)) failures.push(`round ${round}: ${name} → ${res.status} ${res.text.slice(0, 300)}`);
        if (res.status >= 400) {
          assert.equal(res.body.statusCode, res.status);
          assert.equal(res.body.requestId, res.headers.get('x-request-id'));
        }
        // A refused workspace reference is the answer a later request gets: 400 on workspaceIds.
        if (res.status === 400) assert.deepEqual(res.body.fieldErrors?.map((f: Json) => [f.field, f.code]), [['workspaceIds', 'exists']], res.text);
      });

      const deletes = answers.filter((_, i) => order[i]![0] === 'DeleteWorkspace').map((r) => r.status).sort();
      assert.deepEqual(deletes, [204, 404], `round ${round}: one delete wins, the other finds nothing`);
      assert.equal((await s.api.get(wsPath)).status, 404, `round ${round}: the workspace is gone`);
      const existing = new Set(((await s.api.get(`${org}/workspaces`, { limit: 1000 })).body.workspaces as Json[]).map((w) => w.id));
      const clusters = (await s.api.get(`${org}/clusters`, { limit: 1000 })).body.clusters as Json[];
      for (const c of clusters) {
        for (const w of c.workspaceIds ?? []) assert.ok(existing.has(w), `round ${round}: cluster ${c.name} names the missing workspace ${w}`);
      }
      // Keep the organization small: only the shared cluster survives a round.
      for (const c of clusters) if (c.id !== cluster.id) assert.equal((await s.api.delete(`${org}/clusters/${c.id}`)).status, 204);
    }
    const summary = [...seen].sort().map(([k, n]) => `${k}×${n}`).join(', ');
    t.diagnostic(`answers: ${summary}`);
    assert.deepEqual(failures, [], `unexpected answers (all answers: ${summary})`);
  });
});
