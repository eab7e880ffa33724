// Deployment scenarios of `npm run bench`: create and get Deployments, and how the cost of a list
// page grows with the size of an organization.
//
// Steps:
//  1. A fresh SQLite store is seeded in this process with the project's own code: three
//     organizations, each with one Workspace (default region AWS us-east-1). In SMALL_ORG and
//     BIG_ORG one Deployment is created through the service, then copied (new id, name, namespace,
//     creation time and default queue) until the organization holds that many. Creating 100,000
//     Deployments through HTTP would take most of the run.
//  2. The server is started on that store (child process, as bench/run.ts starts it).
//  3. GET scenarios, each loaded with autocannon for BENCH_SECONDS: one Deployment, and the first
//     page and a page halfway through (limit 20) of each organization. The size ratio compares
//     BIG_ORG with SMALL_ORG (big req/s ÷ small req/s; about 1 means the page costs the same).
//  4. Creates: POST a minimal Deployment ({name, workspaceId}) into the third organization with
//     CREATE_CONNECTIONS requests in flight for BENCH_SECONDS.
//  5. Targets, printed with "met" or "not met": each page of BIG_ORG at most 1.5× slower than the
//     same page of SMALL_ORG. A target not met does not fail the run.
// Any non-2xx answer fails the run (exit 1). Results also go to bench/results/deployments.json.
//
// Settings: BENCH_SECONDS (5), BENCH_CONNECTIONS (10), BENCH_WARMUP (1), BENCH_SMALL_ORG (1000),
// BENCH_BIG_ORG (100000).
import { builtInPermissions } from '../src/auth/permissions.js';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openContext } from '../src/command.js';
import { loadConfig } from '../src/config.js';
import type { Principal } from '../src/auth/principal.js';
import { inTransaction } from '../src/store/transactions.js';
import { newId } from '../src/store/ids.js';
import { storedTime } from '../src/time.js';
import { createOrganizationWithOwner } from '../src/bootstrap.js';
import { createWorkspace } from '../src/resources/workspaces/service.js';
import { createDeployment } from '../src/resources/deployments/service.js';
import * as deployments from '../src/resources/deployments/repo.js';
import { namespaceFor } from '../src/resources/deployments/simulated.js';
import { runLoad, type LoadResult } from './load.js';
import { intEnv, printTargets, sizeTarget } from './report.js';
import { freePort, HOST, spawnNode, stop, waitReady, type Child } from './proc.js';

const SECONDS = intEnv('BENCH_SECONDS', 5, 1);
const CONNECTIONS = intEnv('BENCH_CONNECTIONS', 10, 1);
const WARMUP = intEnv('BENCH_WARMUP', 1, 0);
const SMALL_ORG = intEnv('BENCH_SMALL_ORG', 1000, 40);
const BIG_ORG = intEnv('BENCH_BIG_ORG', 100_000, 40);
const CREATE_CONNECTIONS = 16;
const BATCH = 2000;

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'astrolabe-bench-deployments-'));
const dataDir = path.join(tmp, 'data');
let child: Child | undefined;

async function cleanup(): Promise<void> {
  if (child) await stop(child);
  fs.rmSync(tmp, { recursive: true, force: true });
}

interface Org { id: string; token: string; workspaceId: string; count: number; firstDeployment?: string }

/** One organization with a Workspace and `count` Deployments. */
async function seedOrg(app: Awaited<ReturnType<typeof openContext>>, name: string, count: number): Promise<Org> {
  const token = randomBytes(24).toString('hex');
  const o = await createOrganizationWithOwner(app, { name, tokenValue: token });
  const p: Principal = {
    subjectId: o.tokenId, subjectType: 'SERVICEKEY', organizationId: o.organizationId, tokenId: o.tokenId, scope: 'ORGANIZATION', entityId: o.organizationId,
    roles: [{ entityType: 'ORGANIZATION', entityId: o.organizationId, role: 'ORGANIZATION_OWNER', permissions: builtInPermissions('ORGANIZATION_OWNER')! }],
  };
  const w = await createWorkspace(app, p, o.organizationId, { name: 'bench', defaultCloudProvider: 'AWS', defaultRegion: 'us-east-1' });
  const org: Org = { id: o.organizationId, token, workspaceId: w.id, count };
  if (count === 0) return org;
  const first = await createDeployment(app, p, o.organizationId, { name: 'deployment-000001', workspaceId: w.id });
  org.firstDeployment = first.id;
  const row = (await deployments.findDeployment(app.db, o.organizationId, first.id))!;
  const queue = (await deployments.queuesOf(app.db, [first.id])).get(first.id)![0]!;
  const start = Date.parse(row.created_at);
  for (let from = 1; from < count; from += BATCH) {
    await inTransaction(app.db, async (tx) => {
      for (let i = from; i < Math.min(from + BATCH, count); i++) {
        const id = newId();
        const at = storedTime(new Date(start + i * 1000));
        await deployments.insertDeployment(tx, { ...row, id, name: `deployment-${String(i + 1).padStart(6, '0')}`, namespace: namespaceFor(id), created_at: at, updated_at: at });
        await deployments.insertQueue(tx, { ...queue, id: newId(), deployment_id: id, created_at: at, updated_at: at });
      }
    });
  }
  return org;
}

async function measure(url: string, token: string): Promise<LoadResult> {
  const opts = { connections: CONNECTIONS, headers: { authorization: `Bearer ${token}` } };
  if (WARMUP > 0) {
    const w = await runLoad(url, { ...opts, seconds: WARMUP });
    if (w.non2xx + w.errors > 0) return w;
  }
  return runLoad(url, { ...opts, seconds: SECONDS });
}

interface CreateResult { created: number; perSecond: number; p50Ms: number; p99Ms: number; failures: number }

/** POSTs minimal creates with CREATE_CONNECTIONS in flight for SECONDS. */
async function loadCreates(base: string, org: Org): Promise<CreateResult> {
  const times: number[] = [];
  let failures = 0;
  const body = JSON.stringify({ name: 'created-by-bench', workspaceId: org.workspaceId });
  const headers = { authorization: `Bearer ${org.token}`, 'content-type': 'application/json' };
  const end = performance.now() + SECONDS * 1000;
  const worker = async () => {
    while (performance.now() < end) {
      const t = performance.now();
      const res = await fetch(`${base}/v1/organizations/${org.id}/deployments`, { method: 'POST', headers, body });
      await res.arrayBuffer();
      times.push(performance.now() - t);
      if (res.status !== 200) failures++;
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: CREATE_CONNECTIONS }, worker));
  const seconds = (performance.now() - t0) / 1000;
  const sorted = Float64Array.from(times).sort();
  const pct = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
  return { created: times.length, perSecond: times.length / seconds, p50Ms: pct(50), p99Ms: pct(99), failures };
}

async function main(): Promise<number> {
  console.log(`bench deployments: organizations of ${SMALL_ORG} and ${BIG_ORG} Deployments, ${SECONDS}s × ${CONNECTIONS} connections per run, node ${process.version}, ${os.cpus().length} CPUs`);
  const config = loadConfig({ ...process.env, ASTROLABE_DATA_DIR: dataDir, ASTROLABE_DATABASE_URL: '' });
  const app = await openContext(config);
  const t0 = performance.now();
  let small: Org;
  let big: Org;
  let fresh: Org;
  try {
    small = await seedOrg(app, 'Small', SMALL_ORG);
    big = await seedOrg(app, 'Big', BIG_ORG);
    fresh = await seedOrg(app, 'Creates', 0);
  } finally {
    await app.store.close();
  }
  console.log(`seeded ${SMALL_ORG + BIG_ORG} Deployments in ${((performance.now() - t0) / 1000).toFixed(1)}s`);

  const port = await freePort();
  child = spawnNode('astrolabe', ['src/main.ts', 'serve'], { HOST, PORT: String(port), LOG_LEVEL: 'warn', ASTROLABE_DATA_DIR: dataDir, ASTROLABE_DATABASE_URL: '' });
  const base = `http://${HOST}:${port}`;
  await waitReady(child, base);

  const list = (o: Org, offset: number) => `${base}/v1/organizations/${o.id}/deployments?limit=20&offset=${offset}`;
  const scenarios: { scenario: string; url: string; org: Org }[] = [
    { scenario: 'get deployment', url: `${base}/v1/organizations/${big.id}/deployments/${big.firstDeployment}`, org: big },
    { scenario: `list first page, ${SMALL_ORG}`, url: list(small, 0), org: small },
    { scenario: `list first page, ${BIG_ORG}`, url: list(big, 0), org: big },
    { scenario: `list middle page, ${SMALL_ORG}`, url: list(small, Math.floor(SMALL_ORG / 2)), org: small },
    { scenario: `list middle page, ${BIG_ORG}`, url: list(big, Math.floor(BIG_ORG / 2)), org: big },
  ];
  for (const s of scenarios) {
    const res = await fetch(s.url, { headers: { authorization: `Bearer ${s.org.token}` } });
    const page = (await res.json()) as { deployments?: unknown[]; totalCount?: number; id?: string };
    if (res.status !== 200 || (page.deployments && (page.deployments.length !== 20 || page.totalCount !== s.org.count))) {
      throw new Error(`${s.url} answered ${res.status} with ${page.deployments?.length} items, totalCount ${page.totalCount}`);
    }
  }
  const results: { scenario: string; result: LoadResult }[] = [];
  for (const s of scenarios) {
    const result = await measure(s.url, s.org.token);
    results.push({ scenario: s.scenario, result });
    console.log(`  ${s.scenario}: ${result.reqPerSec.toFixed(0)} req/s, p50 ${result.p50Ms.toFixed(2)} ms, p99 ${result.p99Ms.toFixed(2)} ms`);
  }
  const creates = await loadCreates(base, fresh);
  console.log(`  create deployment: ${creates.perSecond.toFixed(0)} req/s, p50 ${creates.p50Ms.toFixed(2)} ms, p99 ${creates.p99Ms.toFixed(2)} ms (${creates.created} created, ${CREATE_CONNECTIONS} in flight)`);

  const result = (name: string) => results.find((r) => r.scenario === name)!.result;
  const firstRatio = result(`list first page, ${BIG_ORG}`).reqPerSec / result(`list first page, ${SMALL_ORG}`).reqPerSec;
  const middleRatio = result(`list middle page, ${BIG_ORG}`).reqPerSec / result(`list middle page, ${SMALL_ORG}`).reqPerSec;
  console.log(`\norganization size (${BIG_ORG} vs ${SMALL_ORG} Deployments), req/s ratio: first page ${firstRatio.toFixed(2)}, middle page ${middleRatio.toFixed(2)} (1.00 = the same cost)`);
  const targets = (['first page', 'middle page'] as const).map((page) =>
    sizeTarget(`${page}: ${BIG_ORG} vs ${SMALL_ORG} Deployments`, result(`list ${page}, ${SMALL_ORG}`), result(`list ${page}, ${BIG_ORG}`)));
  printTargets(targets);

  const out = new URL('./results/deployments.json', import.meta.url);
  fs.mkdirSync(new URL('.', out), { recursive: true });
  fs.writeFileSync(out, JSON.stringify({
    date: new Date().toISOString(), node: process.version, cpus: os.cpus().length,
    settings: { seconds: SECONDS, connections: CONNECTIONS, warmup: WARMUP, smallOrg: SMALL_ORG, bigOrg: BIG_ORG, createConnections: CREATE_CONNECTIONS },
    scenarios: results, creates, sizeRatio: { firstPage: firstRatio, middlePage: middleRatio }, targets,
  }, null, 2) + '\n');
  console.log(`written to ${path.relative(process.cwd(), out.pathname)}`);

  const failed = results.filter((r) => r.result.non2xx + r.result.errors > 0);
  for (const f of failed) console.error(`FAILED ${f.scenario}: status codes ${JSON.stringify(f.result.statusCodes)}, ${f.result.errors} errors`);
  if (creates.failures > 0) console.error(`FAILED create deployment: ${creates.failures} non-200 answers`);
  return failed.length > 0 || creates.failures > 0 ? 1 : 0;
}

main().then(
  async (code) => { await cleanup(); process.exitCode = code; },
  async (err: unknown) => {
    console.error(`bench failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
    await cleanup();
    process.exitCode = 1;
  },
);
