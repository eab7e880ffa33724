// `npm run bench`: request throughput and latency of Astrolabe against a bare node:http baseline,
// plus start-up time, create throughput and how list cost grows with an organization's size.
//
// Every Astrolabe process is started with the project's own start script (package.json
// scripts.start, run through a shell as npm does, minus npm's own start-up), so the figures are
// those of `npm start`. Steps:
//  1. Start-up: one untimed start, then BENCH_STARTS starts on fresh, empty stores, each timed
//     from spawn to the first 200 from /readyz (polled every 5 ms); the median is reported.
//  2. The measured server (fresh SQLite store in a temp dir) gets BENCH_WORKSPACES workspaces
//     through the API with SEED_CONCURRENCY requests in flight ("seeding").
//  3. bench/seed-store.ts (a second process opening the same store with the project's code)
//     creates three more organizations directly in the store: SMALL_ORG and BIG_ORG workspaces,
//     and an empty one for the create scenario. Creating 100,000 workspaces through HTTP would
//     take most of the run.
//  4. Read scenarios, each loaded with autocannon: one workspace, a page of 20, a deep page of
//     100. bench/baseline-server.ts answers the same paths with the very bytes Astrolabe returned
//     and is loaded with identical settings. Baseline figures are the ceiling of this machine +
//     Node + autocannon, so the ratios isolate what Astrolabe adds (Fastify, auth, validation,
//     SQL, serialization):
//       req/s ×  = Astrolabe req/s ÷ baseline req/s   (1.0 = free; 0.25 = a quarter of the ceiling)
//       p50/p99 × = Astrolabe latency ÷ baseline latency (1.0 = free; 4 = four times as slow)
//     The same bytes served by Fastify with nothing else (bench/baseline-server.ts fastify) are
//     measured too: "fastify alone ×" is the most any server built on Fastify could reach.
//  5. Organization size: the first page and a page halfway through (limit 20, with totalCount)
//     of the BIG_ORG organization against the SMALL_ORG one (big req/s ÷ small req/s).
//  6. Creates: POST a workspace (same body each time; names need not be unique) with
//     CREATE_CONNECTIONS requests in flight for BENCH_SECONDS, into an organization of its own.
// Each target is printed at the end with "met" or "not met". Absolute numbers depend on the
// machine; compare ratios across commits. Any non-2xx response or connection error fails the run
// (exit 1); a target not met does not. Results also go to bench/results/latest.json.
//
// Settings: BENCH_WORKSPACES (5000), BENCH_SECONDS (5), BENCH_CONNECTIONS (10), BENCH_WARMUP (1),
// BENCH_STARTS (3), BENCH_SMALL_ORG (1000), BENCH_BIG_ORG (100000).
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runLoad, type LoadResult } from './load.js';
import { fmt, intEnv, printTable, printTargets, sizeTarget, type Target } from './report.js';
import { freePort, HOST, spawnNode, spawnStart, startCommand, stop, waitReady, type Child } from './proc.js';

const WORKSPACES = intEnv('BENCH_WORKSPACES', 5000, 100);
const SECONDS = intEnv('BENCH_SECONDS', 5, 1);
const CONNECTIONS = intEnv('BENCH_CONNECTIONS', 10, 1);
const WARMUP = intEnv('BENCH_WARMUP', 1, 0);
const STARTS = intEnv('BENCH_STARTS', 3, 1);
const SMALL_ORG = intEnv('BENCH_SMALL_ORG', 1000, 40);
const BIG_ORG = intEnv('BENCH_BIG_ORG', 100_000, 40);
const SEED_CONCURRENCY = 16;
const CREATE_CONNECTIONS = 16;
const TOKEN = randomBytes(24).toString('hex');
const AUTH = { authorization: `Bearer ${TOKEN}` };

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'astrolabe-bench-'));
const children: Child[] = [];
let cleaning: Promise<void> | undefined;

function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    await Promise.all(children.map((c) => stop(c)));
    fs.rmSync(tmp, { recursive: true, force: true });
  })();
  return cleaning;
}
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => void cleanup().finally(() => process.exit(130)));
}
process.once('exit', () => { // last resort if something calls process.exit early
  for (const c of children) if (c.proc.exitCode === null) c.proc.kill('SIGKILL');
  fs.rmSync(tmp, { recursive: true, force: true });
});

async function api(base: string, urlPath: string, init: RequestInit = {}, auth = AUTH): Promise<Response> {
  const res = await fetch(base + urlPath, { ...init, headers: { ...auth, 'content-type': 'application/json', ...init.headers } });
  if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${urlPath} answered ${res.status}: ${await res.text()}`);
  return res;
}

/** Creates the workspaces with SEED_CONCURRENCY requests in flight; returns their ids in order. */
async function seed(base: string, org: string): Promise<string[]> {
  const ids: string[] = new Array(WORKSPACES);
  let next = 0;
  const worker = async () => {
    while (next < WORKSPACES) {
      const i = next++;
      const name = `ws-${String(i + 1).padStart(5, '0')}`;
      const body = JSON.stringify({ name, description: `Benchmark workspace ${i + 1} of ${WORKSPACES}` });
      const res = await api(base, `/v1/organizations/${org}/workspaces`, { method: 'POST', body });
      ids[i] = ((await res.json()) as { id: string }).id;
    }
  };
  await Promise.all(Array.from({ length: SEED_CONCURRENCY }, worker));
  return ids;
}

async function startChild(name: string, spawnIt: (env: Record<string, string>) => Child, env: Record<string, string>): Promise<string> {
  const port = await freePort();
  const child = spawnIt({ HOST, PORT: String(port), LOG_LEVEL: 'warn', ...env });
  children.push(child);
  const base = `http://${HOST}:${port}`;
  await waitReady(child, base);
  return base;
}

/** Milliseconds from spawning the start script on an empty store to the first 200 from /readyz. */
async function timeStart(n: number): Promise<number> {
  const port = await freePort();
  const base = `http://${HOST}:${port}`;
  const t0 = performance.now();
  const child = spawnStart(`start-up ${n}`, { HOST, PORT: String(port), LOG_LEVEL: 'warn', ASTROLABE_DATA_DIR: path.join(tmp, `start-${n}`) });
  children.push(child);
  try {
    await waitReady(child, base, 6000, 5);
    return performance.now() - t0;
  } finally {
    await stop(child);
  }
}

interface SeededOrg { organizationId: string; token: string; workspaces: number; seconds: number }

/** Runs bench/seed-store.ts against the measured server's store. */
function seedStore(dataDir: string, counts: number[]): SeededOrg[] {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'bench/seed-store.ts', ...counts.map(String)], {
    cwd: new URL('..', import.meta.url), env: { ...process.env, ASTROLABE_DATA_DIR: dataDir, LOG_LEVEL: 'warn' }, encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`seed-store failed (${r.status ?? r.signal}):\n${r.stderr}`);
  return r.stdout.trim().split('\n').map((l) => JSON.parse(l) as SeededOrg);
}

/** `floor`: the same bytes served by Fastify alone (bench/baseline-server.ts), for reference. */
interface Row { scenario: string; path: string; astrolabe: LoadResult; baseline?: LoadResult; floor?: LoadResult }

async function measure(url: string, auth = AUTH, post?: string, connections = CONNECTIONS): Promise<LoadResult> {
  const opts = { connections, headers: post === undefined ? auth : { ...auth, 'content-type': 'application/json' }, post };
  if (WARMUP > 0) {
    const w = await runLoad(url, { ...opts, seconds: WARMUP });
    if (w.non2xx + w.errors > 0) return w; // report the failure rather than measure errors
  }
  return runLoad(url, { ...opts, seconds: SECONDS });
}

function printVsBaseline(rows: Row[]): void {
  printTable(
    ['scenario', 'astro req/s', 'p50 ms', 'p99 ms', 'base req/s', 'p50 ms', 'p99 ms', 'req/s ×', 'p50 ×', 'p99 ×', 'fastify alone ×', 'non-2xx/err'],
    rows.map(({ scenario, astrolabe: a, baseline: b, floor: f }) => [
      scenario, fmt(a.reqPerSec, 0), fmt(a.p50Ms, 2), fmt(a.p99Ms, 2), fmt(b!.reqPerSec, 0), fmt(b!.p50Ms, 2), fmt(b!.p99Ms, 2),
      fmt(a.reqPerSec / b!.reqPerSec, 3), fmt(a.p50Ms / b!.p50Ms, 2), fmt(a.p99Ms / b!.p99Ms, 2), fmt(f!.reqPerSec / b!.reqPerSec, 3),
      `${a.non2xx + a.errors}/${b!.non2xx + b!.errors}/${f!.non2xx + f!.errors}`,
    ]),
  );
}

function printAlone(rows: Row[]): void {
  printTable(
    ['scenario', 'astro req/s', 'p50 ms', 'p99 ms', 'non-2xx/err'],
    rows.map(({ scenario, astrolabe: a }) => [scenario, fmt(a.reqPerSec, 0), fmt(a.p50Ms, 2), fmt(a.p99Ms, 2), `${a.non2xx + a.errors}`]),
  );
}

async function main(): Promise<number> {
  console.log(`bench: ${WORKSPACES} workspaces, ${SECONDS}s × ${CONNECTIONS} connections per run (+${WARMUP}s warm-up), node ${process.version}, ${os.cpus().length} CPUs`);
  console.log(`start script: ${startCommand()}`);

  // 1. Start-up on empty stores; the untimed first start pays any one-off cost (a build, cold files).
  await timeStart(0);
  const startMs: number[] = [];
  for (let i = 1; i <= STARTS; i++) startMs.push(await timeStart(i));
  const startMedian = [...startMs].sort((x, y) => x - y)[Math.floor(startMs.length / 2)]!;
  console.log(`start-up to /readyz on an empty store: ${startMs.map((ms) => ms.toFixed(0)).join(', ')} ms (median ${startMedian.toFixed(0)} ms)`);

  // 2. The measured server, seeded through the API.
  const dataDir = path.join(tmp, 'data');
  const astro = await startChild('astrolabe', (env) => spawnStart('astrolabe', env), { ASTROLABE_DATA_DIR: dataDir, ASTROLABE_BOOTSTRAP_TOKEN: TOKEN });
  const orgs = (await (await api(astro, '/v1/organizations')).json()) as { organizations: { id: string }[] };
  const org = orgs.organizations[0]!.id;

  const t0 = performance.now();
  const ids = await seed(astro, org);
  const seedSeconds = (performance.now() - t0) / 1000;
  console.log(`seeded ${WORKSPACES} workspaces through the API in ${seedSeconds.toFixed(1)}s (${(WORKSPACES / seedSeconds).toFixed(0)}/s, ${SEED_CONCURRENCY} in flight)`);

  // 3. Organizations seeded directly in the store.
  const t1 = performance.now();
  const [small, big, empty] = seedStore(dataDir, [SMALL_ORG, BIG_ORG, 0]) as [SeededOrg, SeededOrg, SeededOrg];
  console.log(`seeded organizations of ${SMALL_ORG} and ${BIG_ORG} workspaces directly in the store in ${((performance.now() - t1) / 1000).toFixed(1)}s`);

  // 4. Read scenarios against the baseline. A deep page of 100 at offset 2000, kept inside the
  // data when fewer workspaces are seeded.
  const deep = Math.min(2000, WORKSPACES - 100);
  const scenarios = [
    { key: 'get', scenario: 'get workspace', path: `/v1/organizations/${org}/workspaces/${ids[Math.floor(WORKSPACES / 2)]}`, items: 0 },
    { key: 'list', scenario: 'list limit=20', path: `/v1/organizations/${org}/workspaces?limit=20`, items: 20 },
    { key: 'deep', scenario: `list limit=100 offset=${deep}`, path: `/v1/organizations/${org}/workspaces?limit=100&offset=${deep}`, items: 100 },
  ];

  // Capture each response once and hand the exact bytes to the baseline server.
  const canned: Record<string, { status: number; contentType: string; body: string }> = {};
  for (const s of scenarios) {
    const res = await api(astro, s.path);
    const bytes = Buffer.from(await res.arrayBuffer());
    const page = JSON.parse(bytes.toString('utf8')) as { workspaces?: unknown[] };
    if (s.items > 0 && page.workspaces?.length !== s.items) throw new Error(`${s.path} returned ${page.workspaces?.length} items, expected ${s.items}`);
    canned[s.path] = { status: res.status, contentType: res.headers.get('content-type') ?? '', body: bytes.toString('base64') };
  }
  const cannedFile = path.join(tmp, 'responses.json');
  fs.writeFileSync(cannedFile, JSON.stringify(canned));
  const baseline = await startChild('baseline', (env) => spawnNode('baseline', ['bench/baseline-server.ts', cannedFile], env), {});
  const floor = await startChild('fastify floor', (env) => spawnNode('fastify floor', ['bench/baseline-server.ts', cannedFile, 'fastify'], env), {});

  const rows: Row[] = [];
  const ratio: Record<string, number> = {};
  for (const s of scenarios) {
    const a = await measure(astro + s.path);
    const b = await measure(baseline + s.path);
    const f = await measure(floor + s.path);
    rows.push({ scenario: s.scenario, path: s.path, astrolabe: a, baseline: b, floor: f });
    ratio[s.key] = a.reqPerSec / b.reqPerSec;
    console.log(`  ${s.scenario}: ${a.reqPerSec.toFixed(0)} vs ${b.reqPerSec.toFixed(0)} req/s (Fastify alone ${f.reqPerSec.toFixed(0)})`);
  }

  // 5. Organization size: the same pages of a small and a big organization.
  const sizeRows: Row[] = [];
  const sizePairs: { name: string; small: LoadResult; big: LoadResult }[] = [];
  const pages = [
    { name: 'first page', small: 0, big: 0 },
    { name: 'middle page', small: Math.floor(SMALL_ORG / 2), big: Math.floor(BIG_ORG / 2) },
  ];
  for (const p of pages) {
    const results: LoadResult[] = [];
    for (const [o, offset] of [[small, p.small], [big, p.big]] as const) {
      const urlPath = `/v1/organizations/${o.organizationId}/workspaces?limit=20&offset=${offset}`;
      const auth = { authorization: `Bearer ${o.token}` };
      const check = (await (await api(astro, urlPath, {}, auth)).json()) as { workspaces: unknown[]; totalCount: number };
      if (check.totalCount !== o.workspaces || check.workspaces.length !== 20) throw new Error(`${urlPath}: totalCount ${check.totalCount}, ${check.workspaces.length} items`);
      const r = await measure(astro + urlPath, auth);
      sizeRows.push({ scenario: `${o.workspaces} workspaces, ${p.name} (offset ${offset})`, path: urlPath, astrolabe: r });
      results.push(r);
      console.log(`  ${o.workspaces} workspaces, ${p.name}: ${r.reqPerSec.toFixed(0)} req/s`);
    }
    sizePairs.push({ name: p.name, small: results[0]!, big: results[1]! });
  }

  // 6. Creates, into an organization of their own so the pages above stay as seeded.
  const createPath = `/v1/organizations/${empty.organizationId}/workspaces`;
  const created = await measure(astro + createPath, { authorization: `Bearer ${empty.token}` }, JSON.stringify({ name: 'bench-create', description: 'Created under load' }), CREATE_CONNECTIONS);
  const createRow: Row = { scenario: `create workspace (${CREATE_CONNECTIONS} in flight)`, path: createPath, astrolabe: created };
  console.log(`  create workspace: ${created.reqPerSec.toFixed(0)} req/s`);

  printVsBaseline(rows);
  printAlone([...sizeRows, createRow]);

  const targets: Target[] = [
    { name: 'get workspace vs baseline', value: `${fmt(ratio.get!, 3)}×`, goal: '≥ 0.5×', met: ratio.get! >= 0.5 },
    { name: 'list limit=20 vs baseline', value: `${fmt(ratio.list!, 3)}×`, goal: '≥ 0.35×', met: ratio.list! >= 0.35 },
    { name: `list limit=100 offset=${deep} vs baseline`, value: `${fmt(ratio.deep!, 3)}×`, goal: '≥ 0.25×', met: ratio.deep! >= 0.25 },
    { name: `creates/s (${CREATE_CONNECTIONS} in flight)`, value: fmt(created.reqPerSec, 0), goal: '≥ 1000', met: created.reqPerSec >= 1000 },
    ...sizePairs.map((p) => sizeTarget(`${p.name}: ${BIG_ORG} vs ${SMALL_ORG} workspaces`, p.small, p.big)),
    { name: 'start-up to /readyz (median)', value: `${startMedian.toFixed(0)} ms`, goal: '< 1000 ms', met: startMedian < 1000 },
  ];
  printTargets(targets);

  const out = new URL('./results/latest.json', import.meta.url);
  fs.mkdirSync(new URL('.', out), { recursive: true });
  fs.writeFileSync(out, JSON.stringify({
    date: new Date().toISOString(), node: process.version, cpus: os.cpus().length, startScript: startCommand(),
    settings: { workspaces: WORKSPACES, seconds: SECONDS, connections: CONNECTIONS, warmup: WARMUP, smallOrg: SMALL_ORG, bigOrg: BIG_ORG },
    startUpMs: startMs,
    seeding: { workspaces: WORKSPACES, seconds: seedSeconds, perSecond: WORKSPACES / seedSeconds, concurrency: SEED_CONCURRENCY },
    scenarios: rows.map((r) => ({
      ...r,
      ratio: { reqPerSec: r.astrolabe.reqPerSec / r.baseline!.reqPerSec, p50: r.astrolabe.p50Ms / r.baseline!.p50Ms, p99: r.astrolabe.p99Ms / r.baseline!.p99Ms },
      fastifyAloneRatio: r.floor!.reqPerSec / r.baseline!.reqPerSec,
    })),
    organizationSize: sizeRows,
    create: createRow,
    targets,
  }, null, 2) + '\n');
  console.log(`\nwritten to ${path.relative(process.cwd(), out.pathname)}`);

  const all = [...rows.flatMap((r) => [[`${r.scenario} (astrolabe)`, r.astrolabe], [`${r.scenario} (baseline)`, r.baseline!], [`${r.scenario} (Fastify alone)`, r.floor!]] as const),
    ...[...sizeRows, createRow].map((r) => [r.scenario, r.astrolabe] as const)];
  const failed = all.filter(([, x]) => x.non2xx + x.errors > 0);
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
