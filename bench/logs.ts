// Log search scenarios of `npm run bench`: GetDeploymentLogs over a Deployment holding one million
// stored lines.
//
// Steps:
//  1. A fresh store (SQLite in a temp dir; PostgreSQL when BENCH_DATABASE_URL names a server, on
//     a new database created there and dropped at the end) is seeded in this process with the
//     project's own code: one organization, one Workspace, two Deployments created through the
//     service (so they carry their start-up lines), then BENCH_LOG_LINES lines for the big one and
//     BENCH_SMALL_LINES for the small one, written with appendLogLines (the one writer) in batches
//     of SEED_BATCH lines per transaction. Lines are Airflow-like, spread over the last 23 hours
//     across all six sources; 80 % INFO, 15 % WARNING, 5 % ERROR, and one in a thousand holds the
//     word "mismatch".
//  2. The server is started on that store (child process, as bench/run.ts starts it).
//  3. Scenarios, each loaded with autocannon for BENCH_SECONDS, on both Deployments, limit 500
//     over the last 24 hours (what `astro deployment logs` asks by default):
//       time window   no search text: the newest 500 lines;
//       text, common  searchText=ERROR (5 % of the lines);
//       text, rare    searchText=mismatch (0.1 %).
//     bench/baseline-server.ts answers the big Deployment's paths with the very bytes Astrolabe
//     returned, loaded with identical settings:
//       req/s × = Astrolabe req/s ÷ baseline req/s (1.0 = free: all cost is the framework's ceiling)
//     and the size ratio compares the big Deployment with the small one (big req/s ÷ small req/s).
//  4. Targets ("met" / "not met", a target not met does not fail the run): every scenario on the
//     big Deployment answers at least 20 req/s and its p99 stays under 500 ms.
// Any non-2xx answer fails the run (exit 1). Results also go to bench/results/logs.json.
//
// Settings: BENCH_SECONDS (5), BENCH_CONNECTIONS (10), BENCH_WARMUP (1), BENCH_LOG_LINES
// (1000000), BENCH_SMALL_LINES (1000), BENCH_DATABASE_URL (unset: SQLite).
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { openContext } from '../src/command.js';
import { loadConfig } from '../src/config.js';
import { builtInPermissions } from '../src/auth/permissions.js';
import type { Principal } from '../src/auth/principal.js';
import { inTransaction } from '../src/store/transactions.js';
import { createOrganizationWithOwner } from '../src/bootstrap.js';
import { createWorkspace } from '../src/resources/workspaces/service.js';
import { createDeployment } from '../src/resources/deployments/service.js';
import { appendLogLines, LOG_SOURCES, type NewLogLine } from '../src/resources/logs/repo.js';
import { runLoad, type LoadResult } from './load.js';
import { fmt, intEnv, printTable, printTargets, type Target } from './report.js';
import { freePort, HOST, spawnNode, stop, waitReady, type Child } from './proc.js';

const SECONDS = intEnv('BENCH_SECONDS', 5, 1);
const CONNECTIONS = intEnv('BENCH_CONNECTIONS', 10, 1);
const WARMUP = intEnv('BENCH_WARMUP', 1, 0);
const BIG = intEnv('BENCH_LOG_LINES', 1_000_000, 1000);
const SMALL = intEnv('BENCH_SMALL_LINES', 1000, 100);
const PG_ADMIN = process.env.BENCH_DATABASE_URL || undefined;
const SEED_BATCH = 10_000;
const SPAN_MS = 23 * 3600 * 1000;

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'astrolabe-bench-logs-'));
const dataDir = path.join(tmp, 'data');
const children: Child[] = [];
let dropDatabase: (() => Promise<void>) | undefined;

async function cleanup(): Promise<void> {
  await Promise.all(children.map((c) => stop(c)));
  if (dropDatabase) await dropDatabase();
  fs.rmSync(tmp, { recursive: true, force: true });
}

/** A new database on the PostgreSQL server at `adminUrl`; its URL. */
async function freshDatabase(adminUrl: string): Promise<string> {
  const name = `astrolabe_bench_${randomBytes(5).toString('hex')}`;
  const run = async (text: string) => {
    const c = new pg.Client({ connectionString: adminUrl });
    await c.connect();
    try { await c.query(text); } finally { await c.end(); }
  };
  await run(`CREATE DATABASE ${name}`);
  dropDatabase = () => run(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return u.toString();
}

/** A small deterministic generator, so every run stores the same text. */
function prng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    return x / 0x100000000;
  };
}

const LOGGERS: Record<string, string> = {
  scheduler: 'scheduler_job_runner.py', triggerer: 'triggerer_job_runner.py', worker: 'taskinstance.py',
  webserver: 'app.py', 'dag-processor': 'processor.py', apiserver: 'api_server.py',
};
const TASKS = ['extract', 'transform', 'load', 'validate', 'publish', 'notify', 'cleanup', 'aggregate'];

function makeLine(rand: () => number, organizationId: string, deploymentId: string, timeMs: number): NewLogLine {
  const source = LOG_SOURCES[Math.floor(rand() * LOG_SOURCES.length)]!;
  const r = rand();
  const level = r < 0.05 ? 'ERROR' : r < 0.2 ? 'WARNING' : 'INFO';
  const dag = `etl_${Math.floor(rand() * 500)}`;
  const task = TASKS[Math.floor(rand() * TASKS.length)]!;
  const run = `scheduled__${new Date(timeMs - (timeMs % 3_600_000)).toISOString()}`;
  let message: string;
  if (rand() < 0.001) message = `Checksum mismatch on ${dag}.${task}: expected ${Math.floor(rand() * 1e9).toString(16)}`;
  else if (level === 'ERROR') message = `Task ${dag}.${task} failed: Connection refused (host=db-${Math.floor(rand() * 8)}, port 5432)`;
  else if (level === 'WARNING') message = `Task ${dag}.${task} is taking longer than expected (${Math.floor(rand() * 600)}s)`;
  else message = `Sending TaskInstanceKey(dag_id='${dag}', task_id='${task}', run_id='${run}', try_number=1) to the executor`;
  const stamp = new Date(timeMs).toISOString().replace('Z', '+0000');
  return { organizationId, deploymentId, source, timeUs: timeMs * 1000, raw: `[${stamp}] {${LOGGERS[source]}:${100 + Math.floor(rand() * 400)}} ${level} - ${message}` };
}

async function seedLines(app: Awaited<ReturnType<typeof openContext>>, organizationId: string, deploymentId: string, count: number, seed: number): Promise<void> {
  const rand = prng(seed);
  const end = Date.now() - 60_000;
  for (let from = 0; from < count; from += SEED_BATCH) {
    const batch: NewLogLine[] = [];
    for (let i = from; i < Math.min(from + SEED_BATCH, count); i++) batch.push(makeLine(rand, organizationId, deploymentId, end - SPAN_MS + Math.floor((SPAN_MS * i) / count)));
    await inTransaction(app.db, (tx) => appendLogLines(tx, batch));
  }
}

async function measure(url: string, token: string): Promise<LoadResult> {
  const opts = { connections: CONNECTIONS, headers: { authorization: `Bearer ${token}` } };
  if (WARMUP > 0) {
    const w = await runLoad(url, { ...opts, seconds: WARMUP });
    if (w.non2xx + w.errors > 0) return w;
  }
  return runLoad(url, { ...opts, seconds: SECONDS });
}

async function startChild(name: string, args: string[], env: Record<string, string>): Promise<string> {
  const port = await freePort();
  const child = spawnNode(name, args, { HOST, PORT: String(port), LOG_LEVEL: 'warn', ...env });
  children.push(child);
  const base = `http://${HOST}:${port}`;
  // Up to two minutes: a busy machine can take a while to compile and start it.
  await waitReady(child, base);
  return base;
}

async function main(): Promise<number> {
  const databaseUrl = PG_ADMIN ? await freshDatabase(PG_ADMIN) : '';
  const storeName = databaseUrl ? 'PostgreSQL' : 'SQLite';
  console.log(`bench logs (${storeName}): ${BIG} and ${SMALL} stored lines, ${SECONDS}s × ${CONNECTIONS} connections per run, node ${process.version}, ${os.cpus().length} CPUs`);
  const storeEnv = { ASTROLABE_DATA_DIR: dataDir, ASTROLABE_DATABASE_URL: databaseUrl };
  const app = await openContext(loadConfig({ ...process.env, ...storeEnv }));
  const token = randomBytes(24).toString('hex');
  let orgId: string;
  let big: string;
  let small: string;
  const t0 = performance.now();
  try {
    const o = await createOrganizationWithOwner(app, { name: 'Logs', tokenValue: token });
    orgId = o.organizationId;
    const p: Principal = {
      subjectId: o.tokenId, subjectType: 'SERVICEKEY', organizationId: orgId, tokenId: o.tokenId, scope: 'ORGANIZATION', entityId: orgId,
      roles: [{ entityType: 'ORGANIZATION', entityId: orgId, role: 'ORGANIZATION_OWNER', permissions: builtInPermissions('ORGANIZATION_OWNER')! }],
    };
    const w = await createWorkspace(app, p, orgId, { name: 'bench', defaultCloudProvider: 'AWS', defaultRegion: 'us-east-1' });
    big = (await createDeployment(app, p, orgId, { name: 'big', workspaceId: w.id })).id;
    small = (await createDeployment(app, p, orgId, { name: 'small', workspaceId: w.id })).id;
    await seedLines(app, orgId, small, SMALL, 7);
    await seedLines(app, orgId, big, BIG, 11);
  } finally {
    await app.store.close();
  }
  const seedSeconds = (performance.now() - t0) / 1000;
  console.log(`seeded ${BIG + SMALL} lines in ${seedSeconds.toFixed(1)}s (${((BIG + SMALL) / seedSeconds).toFixed(0)} lines/s)`);

  const astro = await startChild('astrolabe', ['src/main.ts', 'serve'], storeEnv);
  const sources = LOG_SOURCES.map((s) => `sources=${s}`).join('&');
  const pathOf = (deploymentId: string, extra: string) => `/v1/organizations/${orgId}/deployments/${deploymentId}/logs?${sources}&range=86400&limit=500${extra}`;
  const scenarios = [
    { key: 'window', scenario: 'time window', extra: '', expect: 500 },
    { key: 'common', scenario: 'text, common (ERROR)', extra: '&searchText=ERROR', expect: 500 },
    { key: 'rare', scenario: 'text, rare (mismatch)', extra: '&searchText=mismatch', expect: Math.min(500, Math.round(BIG / 1000 * 0.8)) },
  ];
  const canned: Record<string, { status: number; contentType: string; body: string }> = {};
  for (const s of scenarios) {
    const urlPath = pathOf(big, s.extra);
    const res = await fetch(astro + urlPath, { headers: { authorization: `Bearer ${token}` } });
    const bytes = Buffer.from(await res.arrayBuffer());
    const page = JSON.parse(bytes.toString('utf8')) as { resultCount?: number };
    if (res.status !== 200 || (page.resultCount ?? 0) < s.expect) throw new Error(`${urlPath} answered ${res.status} with ${page.resultCount} lines, expected at least ${s.expect}`);
    canned[urlPath] = { status: res.status, contentType: res.headers.get('content-type') ?? '', body: bytes.toString('base64') };
  }
  const cannedFile = path.join(tmp, 'responses.json');
  fs.writeFileSync(cannedFile, JSON.stringify(canned));
  const baseline = await startChild('baseline', ['bench/baseline-server.ts', cannedFile], {});

  const rows: { scenario: string; big: LoadResult; small: LoadResult; baseline: LoadResult }[] = [];
  for (const s of scenarios) {
    const b = await measure(astro + pathOf(big, s.extra), token);
    const sm = await measure(astro + pathOf(small, s.extra), token);
    const base = await measure(baseline + pathOf(big, s.extra), token);
    rows.push({ scenario: s.scenario, big: b, small: sm, baseline: base });
    console.log(`  ${s.scenario}: ${b.reqPerSec.toFixed(0)} req/s on ${BIG} lines, ${sm.reqPerSec.toFixed(0)} on ${SMALL}, baseline ${base.reqPerSec.toFixed(0)}`);
  }

  printTable(
    ['scenario', `req/s ${BIG}`, 'p50 ms', 'p99 ms', `req/s ${SMALL}`, 'baseline req/s', 'req/s ×', `${BIG} vs ${SMALL}`],
    rows.map((r) => [r.scenario, fmt(r.big.reqPerSec, 0), fmt(r.big.p50Ms, 2), fmt(r.big.p99Ms, 2), fmt(r.small.reqPerSec, 0), fmt(r.baseline.reqPerSec, 0),
      `${fmt(r.big.reqPerSec / r.baseline.reqPerSec, 3)}×`, `${fmt(r.big.reqPerSec / r.small.reqPerSec, 2)}×`]),
  );
  const targets: Target[] = rows.flatMap((r) => [
    { name: `${r.scenario}, ${BIG} lines: req/s`, value: fmt(r.big.reqPerSec, 0), goal: '≥ 20', met: r.big.reqPerSec >= 20 },
    { name: `${r.scenario}, ${BIG} lines: p99`, value: `${fmt(r.big.p99Ms, 0)} ms`, goal: '< 500 ms', met: r.big.p99Ms < 500 },
  ]);
  printTargets(targets);

  const out = new URL(`./results/logs${databaseUrl ? '-postgres' : ''}.json`, import.meta.url);
  fs.mkdirSync(new URL('.', out), { recursive: true });
  fs.writeFileSync(out, JSON.stringify({
    date: new Date().toISOString(), node: process.version, cpus: os.cpus().length, store: storeName,
    settings: { seconds: SECONDS, connections: CONNECTIONS, warmup: WARMUP, lines: BIG, smallLines: SMALL, seedBatch: SEED_BATCH },
    seeding: { lines: BIG + SMALL, seconds: seedSeconds },
    scenarios: rows.map((r) => ({ ...r, ratio: { vsBaseline: r.big.reqPerSec / r.baseline.reqPerSec, bigVsSmall: r.big.reqPerSec / r.small.reqPerSec } })),
    targets,
  }, null, 2) + '\n');
  console.log(`written to ${path.relative(process.cwd(), out.pathname)}`);

  const failed = rows.flatMap((r) => [[`${r.scenario} (big)`, r.big], [`${r.scenario} (small)`, r.small], [`${r.scenario} (baseline)`, r.baseline]] as const)
    .filter(([, x]) => x.non2xx + x.errors > 0);
  for (const [what, x] of failed) console.error(`FAILED ${what}: status codes ${JSON.stringify(x.statusCodes)}, ${x.errors} errors`);
  return failed.length > 0 ? 1 : 0;
}

main().then(
  async (code) => { await cleanup(); process.exitCode = code; },
  async (err: unknown) => {
    console.error(`bench failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
    await cleanup();
    process.exitCode = 1;
  },
);
