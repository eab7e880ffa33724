// `npm run bench`: request throughput and latency of Astrolabe against a bare node:http baseline.
//
// Starts the real server (child process, fresh SQLite store in a temp dir), seeds BENCH_WORKSPACES
// workspaces through the API, then loads three read paths with autocannon: one workspace, a page
// of 20, a deep page of 100. A second child, bench/baseline-server.ts, answers the same paths with
// the very bytes Astrolabe returned and is loaded with identical settings. Baseline figures are
// the ceiling of this machine + Node + autocannon, so the ratios isolate what Astrolabe adds
// (Fastify, auth, validation, SQL, serialization):
//   req/s ×  = Astrolabe req/s ÷ baseline req/s   (1.0 = free; 0.25 = a quarter of the ceiling)
//   p50/p99 × = Astrolabe latency ÷ baseline latency (1.0 = free; 4 = four times as slow)
// Absolute numbers depend on the machine; compare ratios across commits. Any non-2xx response or
// connection error fails the run (exit 1). Results also go to bench/results/latest.json.
//
// Settings: BENCH_WORKSPACES (5000), BENCH_SECONDS (5), BENCH_CONNECTIONS (10), BENCH_WARMUP (1).
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runLoad, type LoadResult } from './load.js';
import { freePort, HOST, spawnNode, stop, waitReady, type Child } from './proc.js';

function intEnv(name: string, fallback: number, min: number): number {
  const n = Number(process.env[name] || fallback);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be an integer >= ${min}`);
  return n;
}

const WORKSPACES = intEnv('BENCH_WORKSPACES', 5000, 100);
const SECONDS = intEnv('BENCH_SECONDS', 5, 1);
const CONNECTIONS = intEnv('BENCH_CONNECTIONS', 10, 1);
const WARMUP = intEnv('BENCH_WARMUP', 1, 0);
const SEED_CONCURRENCY = 16;
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

async function api(base: string, urlPath: string, init: RequestInit = {}): Promise<Response> {
  const res = await fetch(base + urlPath, { ...init, headers: { ...AUTH, 'content-type': 'application/json', ...init.headers } });
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

async function startChild(name: string, args: string[], env: Record<string, string>): Promise<string> {
  const port = await freePort();
  const child = spawnNode(name, args, { HOST, PORT: String(port), LOG_LEVEL: 'warn', ...env });
  children.push(child);
  const base = `http://${HOST}:${port}`;
  await waitReady(child, base);
  return base;
}

interface Row { scenario: string; path: string; astrolabe: LoadResult; baseline: LoadResult }

async function measure(url: string): Promise<LoadResult> {
  const opts = { connections: CONNECTIONS, headers: AUTH };
  if (WARMUP > 0) {
    const w = await runLoad(url, { ...opts, seconds: WARMUP });
    if (w.non2xx + w.errors > 0) return w; // report the failure rather than measure errors
  }
  return runLoad(url, { ...opts, seconds: SECONDS });
}

const fmt = (n: number, digits: number) => (Number.isFinite(n) ? n.toFixed(digits) : '-');

function printTable(rows: Row[]): void {
  const head = ['scenario', 'astro req/s', 'p50 ms', 'p99 ms', 'base req/s', 'p50 ms', 'p99 ms', 'req/s ×', 'p50 ×', 'p99 ×', 'non-2xx/err'];
  const lines = rows.map(({ scenario, astrolabe: a, baseline: b }) => [
    scenario, fmt(a.reqPerSec, 0), fmt(a.p50Ms, 2), fmt(a.p99Ms, 2), fmt(b.reqPerSec, 0), fmt(b.p50Ms, 2), fmt(b.p99Ms, 2),
    fmt(a.reqPerSec / b.reqPerSec, 3), fmt(a.p50Ms / b.p50Ms, 2), fmt(a.p99Ms / b.p99Ms, 2),
    `${a.non2xx + a.errors}/${b.non2xx + b.errors}`,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const show = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log('\n' + show(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const l of lines) console.log(show(l));
}

async function main(): Promise<number> {
  console.log(`bench: ${WORKSPACES} workspaces, ${SECONDS}s × ${CONNECTIONS} connections per run (+${WARMUP}s warm-up), node ${process.version}, ${os.cpus().length} CPUs`);
  const astro = await startChild('astrolabe', ['src/main.ts', 'serve'], {
    ASTROLABE_DATA_DIR: path.join(tmp, 'data'),
    ASTROLABE_BOOTSTRAP_TOKEN: TOKEN,
  });
  const orgs = (await (await api(astro, '/v1/organizations')).json()) as { organizations: { id: string }[] };
  const org = orgs.organizations[0]!.id;

  const t0 = performance.now();
  const ids = await seed(astro, org);
  const seedSeconds = (performance.now() - t0) / 1000;
  console.log(`seeded ${WORKSPACES} workspaces in ${seedSeconds.toFixed(1)}s (${(WORKSPACES / seedSeconds).toFixed(0)}/s, ${SEED_CONCURRENCY} in flight)`);

  // A deep page of 100 at offset 2000, kept inside the data when fewer workspaces are seeded.
  const deep = Math.min(2000, WORKSPACES - 100);
  const scenarios = [
    { scenario: 'get workspace', path: `/v1/organizations/${org}/workspaces/${ids[Math.floor(WORKSPACES / 2)]}`, items: 0 },
    { scenario: 'list limit=20', path: `/v1/organizations/${org}/workspaces?limit=20`, items: 20 },
    { scenario: `list limit=100 offset=${deep}`, path: `/v1/organizations/${org}/workspaces?limit=100&offset=${deep}`, items: 100 },
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
  const baseline = await startChild('baseline', ['bench/baseline-server.ts', cannedFile], {});

  const rows: Row[] = [];
  for (const s of scenarios) {
    const a = await measure(astro + s.path);
    const b = await measure(baseline + s.path);
    rows.push({ scenario: s.scenario, path: s.path, astrolabe: a, baseline: b });
    console.log(`  ${s.scenario}: ${a.reqPerSec.toFixed(0)} vs ${b.reqPerSec.toFixed(0)} req/s`);
  }
  printTable(rows);

  const out = new URL('./results/latest.json', import.meta.url);
  fs.mkdirSync(new URL('.', out), { recursive: true });
  fs.writeFileSync(out, JSON.stringify({
    date: new Date().toISOString(), node: process.version, cpus: os.cpus().length,
    settings: { workspaces: WORKSPACES, seconds: SECONDS, connections: CONNECTIONS, warmup: WARMUP },
    seeding: { workspaces: WORKSPACES, seconds: seedSeconds, perSecond: WORKSPACES / seedSeconds, concurrency: SEED_CONCURRENCY },
    scenarios: rows.map((r) => ({
      ...r,
      ratio: { reqPerSec: r.astrolabe.reqPerSec / r.baseline.reqPerSec, p50: r.astrolabe.p50Ms / r.baseline.p50Ms, p99: r.astrolabe.p99Ms / r.baseline.p99Ms },
    })),
  }, null, 2) + '\n');
  console.log(`\nwritten to ${path.relative(process.cwd(), out.pathname)}`);

  const failed = rows.flatMap((r) => [[`${r.scenario} (astrolabe)`, r.astrolabe], [`${r.scenario} (baseline)`, r.baseline]] as const)
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
