import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { up as migration006 } from '../../src/store/migrations/006_list_page_marks.js';
import { startServer, type TestServer } from './server.js';

interface Listed { id: string; createdAt: string; workspaceId?: string }

/** A list kept by store/page-marks.ts, as the API shows it. */
export interface ListUnderTest {
  /** The list's name in list_page_marks, also the key of its items in a page. */
  list: 'workspaces' | 'deployments';
  /** Run once on the fresh server: whatever creating items needs. Returns the body of item i. */
  setup(s: TestServer): Promise<(i: number) => Record<string, unknown>>;
  /** More checks on a server whose items are `expected`, in the default order. */
  extra?(s: TestServer, base: string, expected: Listed[]): Promise<void>;
}

const order = (a: Listed, b: Listed) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * Deep pages of the default order are found through counted runs of the list (cut every 1,000
 * once a run reaches 2,000) rather than by walking every item before them; these tests hold the
 * pages to the plain definition (sort by (createdAt, id), skip, take) through creates, deletes at
 * and around run boundaries, regrowth, and the backfill of migration 006.
 */
export function defaultOrderPageTests(t: ListUnderTest): void {
  describe(`${t.list} pages in the default order`, () => {
    let s: TestServer;
    let base: string;
    let body: (i: number) => Record<string, unknown>;
    let expected: Listed[] = [];
    let made = 0;

    before(async () => {
      s = await startServer();
      base = `/v1/organizations/${s.orgId}/${t.list}`;
      body = await t.setup(s);
    });
    after(async () => { await s.close(); });

    async function create(n: number): Promise<void> {
      let left = n;
      const worker = async () => {
        while (left > 0) {
          left--;
          const i = made++;
          if (i % 250 === 0) s.clock.advance(1); // several creation times, each shared by many
          const res = await s.api.post(base, body(i));
          assert.equal(res.status, 200, res.text);
          expected.push({ id: res.body.id, createdAt: res.body.createdAt, workspaceId: res.body.workspaceId });
        }
      };
      await Promise.all(Array.from({ length: 8 }, worker));
      expected.sort(order);
    }

    /**
     * A look behind the API: in key order, each run starts where the ones before it end, and the
     * runs add up to the items. Returns how many runs there are.
     */
    async function checkRuns(): Promise<number> {
      const runs = await s.app.db.selectFrom('list_page_marks').select(['start_position', 'run_length'])
        .where('list', '=', t.list).where('organization_id', '=', s.orgId).orderBy('created_at').orderBy('id').execute();
      let position = 0;
      for (const r of runs) {
        assert.equal(Number(r.start_position), position);
        position += Number(r.run_length);
      }
      assert.equal(position, expected.length);
      return runs.length;
    }

    async function checkPages(offsets: number[], limit: number): Promise<void> {
      for (const offset of offsets) {
        const res = await s.api.get(base, { offset, limit });
        assert.equal(res.status, 200, res.text);
        assert.equal(res.body.totalCount, expected.length);
        const got = (res.body[t.list] as Listed[]).map((w) => w.id);
        assert.deepEqual(got, expected.slice(offset, offset + limit).map((w) => w.id), `page at offset ${offset}`);
      }
    }

    it('answers every page like a walk from the start, across run boundaries', async () => {
      await create(2300);
      const total = expected.length;
      assert.ok((await checkRuns()) >= 2, 'the runs were cut');
      await checkPages([0, 1, 999, 1000, 1001, 1499, 1999, 2000, 2001, 2250, total - 1, total, total + 5], 100);
      await checkPages([0, 990, 1995, 2299], 20);
      await t.extra?.(s, base, expected);
    });

    it('stays right after deletions, including at run boundaries, and as the count drops', async () => {
      const doomed = new Set<string>();
      for (const i of [0, 1, 2, 998, 999, 1000, 1001, 1002, 1999, 2000, 2001]) doomed.add(expected[i]!.id);
      for (let i = 3; i < expected.length; i += 17) doomed.add(expected[i]!.id);
      // Several in flight, and creates among them: on PostgreSQL the count row's lock orders them.
      const queue = [...doomed];
      const deleter = async () => {
        for (let id = queue.pop(); id !== undefined; id = queue.pop()) assert.equal((await s.api.delete(`${base}/${id}`)).status, 204);
      };
      await Promise.all([...Array.from({ length: 6 }, deleter), create(40)]);
      expected = expected.filter((w) => !doomed.has(w.id));
      await checkRuns();
      const total = expected.length;
      await checkPages([0, 500, 900, 950, 999, 1000, 1001, 1800, total - 100, total - 1, total], 100);
      await t.extra?.(s, base, expected);
    });

    it('keeps counting and cutting runs as items are added after deletions', async () => {
      await create(900);
      assert.ok((await checkRuns()) >= 3);
      const total = expected.length;
      await checkPages([0, 999, 1000, 1950, 2000, 2500, 2900, total - 50], 100);
    });

    it('fills the counts and marks in for items stored before them (migration 006)', async () => {
      // Take the store back to before migration 006 and run it again (later migrations stay as
      // they are: the migrator would refuse to run 006 after them), then start another instance.
      await s.app.db.schema.dropTable('list_page_marks').execute();
      await s.app.db.schema.dropTable('list_counts').execute();
      await migration006(s.app.db);
      const again = await startServer({}, { sameStoreAs: s });
      const viaOld = s;
      try {
        s = again;
        assert.ok((await checkRuns()) >= 3);
        const total = expected.length;
        await checkPages([0, 999, 1000, 2000, total - 1], 100);
        await t.extra?.(s, base, expected);
        // And the list is kept from there on.
        await create(50);
        await checkRuns();
        await checkPages([0, 2000, expected.length - 20], 100);
      } finally {
        s = viaOld;
        await again.close();
      }
    });
  });
}
