import type { Queryable } from '../../store/types.js';
import { isAirflow3 } from '../../platform/catalog.js';
import { appendLogLines, type LogSource, type NewLogLine } from './repo.js';

/*
 * What the simulated components of a Deployment log while the lifecycle engine moves it: start-up
 * after a create, a rolling restart after an update, scaling to zero and back for hibernation.
 * The Deployments service calls these functions in the transaction of the change, with the time of
 * the change and the time its simulated rollout is done (ASTROLABE_PROVISION_SECONDS later); the
 * lines are stamped along that timeline, so a search shows each one once its moment has come.
 *
 * The components are those Astro runs: scheduler, triggerer and DAG processor always; the API
 * server (Airflow 3) or the webserver (Airflow 2); one worker per worker queue, except under the
 * Kubernetes executor, which has no standing workers (and so no worker logs).
 */

export interface SimulatedQueue {
  name: string;
  minWorkerCount: number | null;
  maxWorkerCount: number | null;
  workerConcurrency: number | null;
  astroMachine: string | null;
}

/** What the simulation needs to know about a Deployment. */
export interface SimulatedDeployment {
  organizationId: string;
  id: string;
  namespace: string;
  runtimeVersion: string;
  executor: string;
  schedulerReplicas: number | null;
  queues: SimulatedQueue[];
}

interface Component {
  source: LogSource;
  /** The Python module (Airflow 2 and 3 alike) whose logger writes the component's lines. */
  logger: string;
  startMessage: string;
}

function componentsOf(d: SimulatedDeployment): Component[] {
  const replicas = d.schedulerReplicas ?? 1;
  const out: Component[] = [
    { source: 'scheduler', logger: 'scheduler_job_runner.py', startMessage: `Starting the scheduler (${replicas} ${replicas === 1 ? 'replica' : 'replicas'}, executor ${d.executor})` },
    { source: 'triggerer', logger: 'triggerer_job_runner.py', startMessage: 'Starting the triggerer' },
    { source: 'dag-processor', logger: 'manager.py', startMessage: 'Starting the DAG processor; parsing the DAGs folder' },
    isAirflow3(d.runtimeVersion)
      ? { source: 'apiserver', logger: 'api_server.py', startMessage: 'Starting the API server on 0.0.0.0:8080' }
      : { source: 'webserver', logger: 'webserver_command.py', startMessage: 'Starting the webserver on 0.0.0.0:8080' },
  ];
  if (d.executor !== 'KUBERNETES') {
    for (const q of d.queues) {
      out.push({ source: 'worker', logger: 'worker.py', startMessage: `Worker for queue ${q.name} ready: ${workerShape(q)}` });
    }
  }
  return out;
}

function workerShape(q: SimulatedQueue): string {
  const parts = [`${q.minWorkerCount ?? 0}-${q.maxWorkerCount ?? 0} workers`];
  if (q.workerConcurrency !== null) parts.push(`concurrency ${q.workerConcurrency}`);
  if (q.astroMachine) parts.push(`machine ${q.astroMachine}`);
  return parts.join(', ');
}

/** An Airflow-style line: `[2026-03-01T12:00:05.000+0000] {file.py} INFO - message`. */
function line(d: SimulatedDeployment, source: LogSource, atMs: number, logger: string, level: 'INFO' | 'WARNING', message: string): NewLogLine {
  const stamp = new Date(atMs).toISOString().replace('Z', '+0000');
  return { organizationId: d.organizationId, deploymentId: d.id, source, timeUs: atMs * 1000, raw: `[${stamp}] {${logger}} ${level} - ${message}` };
}

/** Times spread over [from, to]: the i-th of n steps, ending at `to`. */
const step = (from: number, to: number, i: number, n: number) => from + Math.round(((to - from) * (i + 1)) / (n + 1));

function startUp(d: SimulatedDeployment, fromMs: number, toMs: number, reason: string): NewLogLine[] {
  const components = componentsOf(d);
  const lines = components.map((c, i) => line(d, c.source, step(fromMs, toMs, i, components.length), c.logger, 'INFO', `${c.startMessage} (${reason})`));
  lines.push(line(d, 'scheduler', toMs, 'scheduler_job_runner.py', 'INFO', `All components of ${d.namespace} are running`));
  return lines;
}

/** A new Deployment: its infrastructure is created at `at`, each component starts until `readyAt`. */
export async function deploymentCreated(q: Queryable, d: SimulatedDeployment, at: Date, readyAt: Date): Promise<void> {
  const from = at.getTime();
  await appendLogLines(q, [
    line(d, 'scheduler', from, 'kubernetes.py', 'INFO', `Creating namespace ${d.namespace} for Astro Runtime ${d.runtimeVersion}`),
    ...startUp(d, from, readyAt.getTime(), 'new Deployment'),
  ]);
}

function describeChanges(before: SimulatedDeployment, after: SimulatedDeployment): string[] {
  const out: string[] = [];
  if ((before.schedulerReplicas ?? 1) !== (after.schedulerReplicas ?? 1)) {
    out.push(`scheduler replicas ${before.schedulerReplicas ?? 1} -> ${after.schedulerReplicas ?? 1}`);
  }
  if (before.executor !== after.executor) out.push(`executor ${before.executor} -> ${after.executor}`);
  const old = new Map(before.queues.map((q) => [q.name, q]));
  for (const q of after.queues) {
    const was = old.get(q.name);
    if (!was) out.push(`queue ${q.name} added (${workerShape(q)})`);
    else if (workerShape(was) !== workerShape(q)) out.push(`queue ${q.name} scaled (${workerShape(was)} -> ${workerShape(q)})`);
    old.delete(q.name);
  }
  for (const name of old.keys()) out.push(`queue ${name} removed`);
  return out;
}

/** A changed Deployment: the change is rolled out at `at`, the components restart until `readyAt`. */
export async function deploymentUpdated(q: Queryable, before: SimulatedDeployment, after: SimulatedDeployment, at: Date, readyAt: Date): Promise<void> {
  const from = at.getTime();
  const changes = describeChanges(before, after);
  const lines = [line(after, 'scheduler', from, 'kubernetes.py', 'INFO', `Rolling out a configuration change${changes.length > 0 ? `: ${changes.join('; ')}` : ''}`)];
  if (before.executor !== 'KUBERNETES') {
    const kept = new Set(after.executor === 'KUBERNETES' ? [] : after.queues.map((x) => x.name));
    for (const gone of before.queues.filter((x) => !kept.has(x.name))) {
      lines.push(line(after, 'worker', from, 'worker.py', 'WARNING', `Worker for queue ${gone.name} shutting down: the queue was removed`));
    }
  }
  lines.push(...startUp(after, from, readyAt.getTime(), 'configuration change'));
  await appendLogLines(q, lines);
}

/** A development Deployment falls asleep (every component scales to zero) or wakes (all start again) at `at`. */
export async function hibernationChanged(q: Queryable, d: SimulatedDeployment, at: Date, hibernating: boolean, why: string): Promise<void> {
  const ms = at.getTime();
  if (hibernating) {
    const lines = componentsOf(d).map((c) => line(d, c.source, ms, c.logger, 'INFO', `Scaling to zero: the Deployment hibernates (${why})`));
    await appendLogLines(q, lines);
    return;
  }
  await appendLogLines(q, [
    line(d, 'scheduler', ms, 'kubernetes.py', 'INFO', `Waking from hibernation (${why})`),
    ...startUp(d, ms, ms, 'wake-up'),
  ]);
}
