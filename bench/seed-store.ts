// Seeds organizations straight into the store, for organizations too big to create through HTTP
// in a benchmark's time. It opens the store with the project's own code (same environment
// variables as the server: ASTROLABE_DATA_DIR or ASTROLABE_DATABASE_URL), creates each
// organization with its owner token the way `astrolabe org create` does, and inserts its
// workspaces in one transaction through the workspaces repository's bulk insert, which also
// brings the counts it keeps beside the rows up to date. Safe while a server runs on the store.
//
// Usage: node --import tsx bench/seed-store.ts <workspaces>...   (one organization per number)
// Prints one JSON line per organization: {"organizationId","token","workspaces","seconds"}.
import { loadConfig } from '../src/config.js';
import { openContext } from '../src/command.js';
import { createOrganizationWithOwner } from '../src/bootstrap.js';
import * as workspaces from '../src/resources/workspaces/repo.js';
import { newId } from '../src/store/ids.js';
import { storedTime } from '../src/time.js';

const counts = process.argv.slice(2).map((a) => {
  const n = Number(a);
  if (!Number.isInteger(n) || n < 0) throw new Error(`not a workspace count: ${a}`);
  return n;
});

const app = await openContext(loadConfig());
try {
  for (const n of counts) {
    const t0 = performance.now();
    const org = await createOrganizationWithOwner(app, { name: `Bench ${n}` });
    const by = { id: org.tokenId, type: 'SERVICEKEY' };
    // Creation times one millisecond apart, starting now: the default order is the seed order.
    const start = app.clock.now().getTime();
    const rows = [];
    for (let i = 0; i < n; i++) {
      const at = storedTime(new Date(start + i));
      rows.push({
        id: newId(), organization_id: org.organizationId,
        name: `ws-${String(i + 1).padStart(6, '0')}`, description: `Seeded workspace ${i + 1} of ${n}`,
        cicd_enforced_default: 0, default_cluster_id: null, default_cloud_provider: null, default_region: null,
        created_at: at, created_by_id: by.id, created_by_type: by.type,
        updated_at: at, updated_by_id: by.id, updated_by_type: by.type,
      });
    }
    await workspaces.insertWorkspaces(app.db, org.organizationId, rows);
    const seconds = (performance.now() - t0) / 1000;
    process.stdout.write(JSON.stringify({ organizationId: org.organizationId, token: org.token, workspaces: n, seconds }) + '\n');
  }
} finally {
  await app.store.close();
}
