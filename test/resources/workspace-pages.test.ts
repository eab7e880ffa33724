import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { startServer, type TestServer } from '../helpers/server.js';

interface Listed { id: string; createdAt: string }

/**
 * Deep pages of the default order are found through counted runs of workspaces (cut every
 * 1,000 once a run reaches 2,000) rather than by walking every workspace before them; these
 * tests hold the pages to the plain definition: sort by (createdAt, id), skip, take.
 */
describe('workspace pages in the default order', () => {
  let s: TestServer;
  let base: string;
  let expected: Listed[] = [];

  before(async () => {
    s = await startServer();
    base = `/v1/organizations/${s.orgId}/workspaces`;
  });
  after(async () => { await s.close(); });

  const order = (a: Listed, b: Listed) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

  async function create(n: number): Promise<void> {
    let next = 0;
    const worker = async () => {
      while (next < n) {
        const i = next++;
        if (i % 250 === 0) s.clock.advance(1); // several creation times, each shared by many
        const res = await s.api.post(base, { name: `page-${i}` });
        assert.equal(res.status, 200, res.text);
        expected.push({ id: res.body.id, createdAt: res.body.createdAt });
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    expected.sort(order);
  }

  /**
   * A look behind the API: in key order, each run starts where the ones before it end, and the
   * runs add up to the workspaces. Returns how many runs there are.
   */
  async function checkRuns(): Promise<number> {
    const runs = await s.app.db.selectFrom('workspace_page_marks').select(['start_position', 'workspaces'])
      .where('organization_id', '=', s.orgId).orderBy('created_at').orderBy('id').execute();
    let position = 0;
    for (const r of runs) {
      assert.equal(Number(r.start_position), position);
      position += Number(r.workspaces);
    }
    assert.equal(position, expected.length);
    return runs.length;
  }

  async function checkPages(offsets: number[], limit: number): Promise<void> {
    for (const offset of offsets) {
      const res = await s.api.get(base, { offset, limit });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.totalCount, expected.length);
      const got = (res.body.workspaces as Listed[]).map((w) => w.id);
      assert.deepEqual(got, expected.slice(offset, offset + limit).map((w) => w.id), `page at offset ${offset}`);
    }
  }

  it('answers every page like a walk from the start, across run boundaries', async () => {
    await create(2300);
    const total = expected.length;
    assert.ok((await checkRuns()) >= 2, 'the runs were cut');
    await checkPages([0, 1, 999, 1000, 1001, 1499, 1999, 2000, 2001, 2250, total - 1, total, total + 5], 100);
    await checkPages([0, 990, 1995, 2299], 20);
  });

  it('stays right after deletions, including at run boundaries, and as the count drops', async () => {
    const doomed = new Set<string>();
    for (const i of [0, 1, 2, 998, 999, 1000, 1001, 1002, 1999, 2000, 2001]) doomed.add(expected[i]!.id);
    for (let i = 3; i < expected.length; i += 17) doomed.add(expected[i]!.id);
    for (const id of doomed) assert.equal((await s.api.delete(`${base}/${id}`)).status, 204);
    expected = expected.filter((w) => !doomed.has(w.id));
    await checkRuns();
    const total = expected.length;
    await checkPages([0, 500, 900, 950, 999, 1000, 1001, 1800, total - 100, total - 1, total], 100);
  });

  it('keeps counting and cutting runs as workspaces are added after deletions', async () => {
    await create(900);
    assert.ok((await checkRuns()) >= 3);
    const total = expected.length;
    await checkPages([0, 999, 1000, 1950, 2000, 2500, 2900, total - 50], 100);
  });

  it('fills the counts in for workspaces stored before they existed (migration 003)', async () => {
    // Take the store back to before migration 003, then start another instance on it.
    await s.app.db.schema.dropTable('workspace_page_marks').execute();
    await s.app.db.schema.dropTable('workspace_counts').execute();
    await sql`delete from kysely_migration where name = '005_workspace_counts'`.execute(s.app.db);
    const again = await startServer({}, { sameStoreAs: s });
    try {
      const viaOld = s;
      s = again;
      const total = expected.length;
      await checkPages([0, 999, 1000, 2000, total - 1], 100);
      s = viaOld;
    } finally {
      await again.close();
    }
  });
});
