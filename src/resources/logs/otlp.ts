import { gunzipSync } from 'node:zlib';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../context.js';
import { authorize } from '../../auth/access.js';
import { authenticate } from '../../auth/authenticate.js';
import type { Principal } from '../../auth/principal.js';
import { ApiError, badRequest } from '../../core/errors.js';
import { classifyStoreError } from '../../store/errors.js';
import { inTransaction } from '../../store/transactions.js';
import type { Queryable } from '../../store/types.js';
import { appendLogLines, LOG_SOURCES, type LogSource, type NewLogLine } from './repo.js';
import { retentionStartUs } from './service.js';

/*
 * OTLP/HTTP log ingestion at the standard path, POST /v1/logs, JSON encoding
 * (ExportLogsServiceRequest: resourceLogs[] → scopeLogs[] → logRecords[]), gzip or not. Protobuf
 * is answered 415: send JSON (an OpenTelemetry Collector's otlphttp exporter does with
 * `encoding: json`).
 *
 * Authentication: an API token of the Organization, as `Authorization: Bearer <token>` (the
 * exporter's `headers` setting), from an allowed address. Writing a Deployment's logs needs
 * `deployment.update` on it (Workspace Operator and above, Deployment Admin, Organization Owner):
 * lines written here are what its users will read as the components' own.
 *
 * Mapping, from the record's attributes over its resource's (the record's win):
 *   Deployment: `astronomer.deployment.id` (its id), else `k8s.namespace.name` or
 *     `service.namespace` (its namespace, as GetDeployment shows it);
 *   source: `component` (Astro's pod label), else `airflow.component`, else `service.name`;
 *     lower-cased, an `airflow-` prefix and `_` / `-` differences ignored, `api-server` is
 *     apiserver;
 *   time: timeUnixNano, else observedTimeUnixNano, else the time of arrival;
 *   raw: the body (a string as it is, other values as JSON); the severity (severityText, or the
 *     level of severityNumber) is searchable as a word without being added to the line.
 * A record that maps to no known Deployment or source, or is older than the retention period, is
 * rejected and counted in partialSuccess; the others are written in one transaction. A request
 * naming a Deployment the token may not write to is refused whole (403).
 */

export const OTLP_LOGS_PATH = '/v1/logs';
export const LOGS_WRITE_PERMISSION = 'deployment.update';

const BODY_LIMIT = 16 * 1024 * 1024;
const MAX_INFLATED = 64 * 1024 * 1024;
const NS_PER_US = 1000n;
/** Latest time accepted (microseconds, about the year 2255): later ones are no real times, and would not be exact as numbers. */
const MAX_TIME_US = BigInt(Number.MAX_SAFE_INTEGER);

type Json = Record<string, unknown>;

/** google.rpc.Status codes for the HTTP statuses this endpoint answers. */
const RPC_CODES: Record<number, number> = { 400: 3, 401: 16, 403: 7, 404: 5, 413: 8, 415: 3, 429: 8, 503: 14 };

function sendStatus(reply: FastifyReply, status: number, message: string): void {
  void reply.code(status).type('application/json').send({ code: RPC_CODES[status] ?? 13, message });
}

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const listOf = (v: unknown, what: string): unknown[] => {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw badRequest(`${what} must be an array`);
  return v;
};

/** An OTLP AnyValue as plain JSON. */
function plain(v: unknown): unknown {
  if (!isObject(v)) return null;
  if ('stringValue' in v) return String(v.stringValue);
  if ('boolValue' in v) return Boolean(v.boolValue);
  if ('intValue' in v) return typeof v.intValue === 'number' ? v.intValue : String(v.intValue);
  if ('doubleValue' in v) return Number(v.doubleValue);
  if ('bytesValue' in v) return String(v.bytesValue);
  if ('arrayValue' in v) return isObject(v.arrayValue) && Array.isArray(v.arrayValue.values) ? v.arrayValue.values.map(plain) : [];
  if ('kvlistValue' in v) return isObject(v.kvlistValue) && Array.isArray(v.kvlistValue.values) ? Object.fromEntries(attributesOf(v.kvlistValue.values)) : {};
  return null;
}

function attributesOf(list: unknown): [string, unknown][] {
  if (!Array.isArray(list)) return [];
  return list.filter((kv): kv is Json => isObject(kv) && typeof kv.key === 'string').map((kv) => [kv.key as string, plain(kv.value)]);
}

function sourceOf(name: string): LogSource | undefined {
  let s = name.trim().toLowerCase().replace(/_/g, '-');
  if (s.startsWith('airflow-')) s = s.slice('airflow-'.length);
  if (s === 'api-server') s = 'apiserver';
  if (s === 'dagprocessor') s = 'dag-processor';
  return (LOG_SOURCES as readonly string[]).includes(s) ? (s as LogSource) : undefined;
}

/** Microseconds of an OTLP fixed64 nanosecond time (JSON: a decimal string or a number), 0 when absent or invalid. */
function timeUs(v: unknown): bigint {
  if (typeof v !== 'string' && typeof v !== 'number') return 0n;
  const text = String(v);
  if (!/^\d{1,20}$/.test(text)) return 0n;
  const us = BigInt(text) / NS_PER_US;
  return us > MAX_TIME_US ? 0n : us;
}

const LEVELS: [number, string][] = [[21, 'FATAL'], [17, 'ERROR'], [13, 'WARN'], [9, 'INFO'], [5, 'DEBUG'], [1, 'TRACE']];

function severityWords(r: Json): string | undefined {
  const words: string[] = [];
  if (typeof r.severityText === 'string') words.push(r.severityText);
  const n = typeof r.severityNumber === 'number' ? r.severityNumber : NaN;
  const level = LEVELS.find(([min]) => n >= min && n <= 24);
  if (level) words.push(level[1]);
  return words.length > 0 ? words.join(' ') : undefined;
}

function bodyText(body: unknown): string {
  const v = plain(body);
  if (typeof v === 'string') return v;
  if (v === null) return '';
  return JSON.stringify(v);
}

interface Target { organizationId: string; deploymentId: string; workspaceId: string }

/** A Deployment as the endpoint needs it: where it is, to authorize the write. */
interface NamedDeployment { id: string; organization_id: string; workspace_id: string }

/**
 * How the endpoint finds the Deployment a record names, by id or by namespace, within an
 * Organization: the deployments family's lookups (it comes after this family; app.ts hands them in).
 */
export interface DeploymentLookups {
  byId(db: Queryable, organizationId: string, id: string): Promise<NamedDeployment | undefined>;
  byNamespace(db: Queryable, organizationId: string, namespace: string): Promise<NamedDeployment | undefined>;
}

/** Reads the request into lines, resolving and authorizing each Deployment once. */
async function collect(app: AppContext, deployments: DeploymentLookups, p: Principal, req: Json): Promise<{ lines: NewLogLine[]; rejected: number; reasons: Set<string> }> {
  const targets = new Map<string, Target | undefined>();
  const resolve = async (kind: 'id' | 'namespace', key: string): Promise<Target | undefined> => {
    const k = `${kind}:${key}`;
    if (!targets.has(k)) {
      const row = kind === 'id' ? await deployments.byId(app.db, p.organizationId, key) : await deployments.byNamespace(app.db, p.organizationId, key);
      const t = row ? { organizationId: row.organization_id, deploymentId: row.id, workspaceId: row.workspace_id } : undefined;
      if (t) authorize(p, LOGS_WRITE_PERMISSION, t);
      targets.set(k, t);
    }
    return targets.get(k);
  };
  const lines: NewLogLine[] = [];
  const reasons = new Set<string>();
  let rejected = 0;
  const oldestUs = BigInt(Math.trunc(retentionStartUs(app)));
  const nowUs = BigInt(app.clock.now().getTime()) * 1000n;
  for (const rl of listOf(req.resourceLogs, 'resourceLogs')) {
    if (!isObject(rl)) throw badRequest('each resourceLogs entry must be an object');
    const resource = new Map(attributesOf(isObject(rl.resource) ? rl.resource.attributes : undefined));
    for (const sl of listOf(rl.scopeLogs, 'scopeLogs')) {
      if (!isObject(sl)) throw badRequest('each scopeLogs entry must be an object');
      for (const r of listOf(sl.logRecords, 'logRecords')) {
        if (!isObject(r)) throw badRequest('each logRecords entry must be an object');
        const attrs = new Map([...resource, ...attributesOf(r.attributes)]);
        const text = (k: string) => (typeof attrs.get(k) === 'string' && attrs.get(k) !== '' ? (attrs.get(k) as string) : undefined);
        const id = text('astronomer.deployment.id');
        const namespace = text('k8s.namespace.name') ?? text('service.namespace');
        const target = id !== undefined ? await resolve('id', id) : namespace !== undefined ? await resolve('namespace', namespace) : undefined;
        if (!target) {
          rejected++;
          reasons.add(id ?? namespace ? 'a record names no Deployment of this Organization' : 'a record has no astronomer.deployment.id, k8s.namespace.name or service.namespace attribute');
          continue;
        }
        const named = text('component') ?? text('airflow.component') ?? text('service.name');
        const source = named ? sourceOf(named) : undefined;
        if (!source) {
          rejected++;
          reasons.add(`a record's component is not one of ${LOG_SOURCES.join(', ')} (attributes component, airflow.component or service.name)`);
          continue;
        }
        let us = timeUs(r.timeUnixNano);
        if (us === 0n) us = timeUs(r.observedTimeUnixNano);
        if (us === 0n) us = nowUs;
        if (us < oldestUs) {
          rejected++;
          reasons.add('a record is older than the log retention period');
          continue;
        }
        lines.push({ ...target, source, timeUs: Number(us), raw: bodyText(r.body), extraWords: severityWords(r) });
      }
    }
  }
  return { lines, rejected, reasons };
}

function decodeBody(req: FastifyRequest): Json {
  const type = String(req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'application/x-protobuf') throw new ApiError(415, 'Protobuf is not supported here: send OTLP/HTTP with JSON encoding (Content-Type: application/json)');
  if (type !== 'application/json') throw new ApiError(415, 'Send OTLP/HTTP with JSON encoding (Content-Type: application/json)');
  let raw = req.body as Buffer;
  const encoding = String(req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (encoding === 'gzip') {
    try {
      raw = gunzipSync(raw, { maxOutputLength: MAX_INFLATED });
    } catch (err) {
      throw badRequest(`the body is not valid gzip, or inflates to more than ${MAX_INFLATED / 1024 / 1024} MiB`, undefined, { cause: err });
    }
  } else if (encoding !== 'identity') {
    throw new ApiError(415, `Content-Encoding ${encoding} is not supported: send gzip or nothing`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString('utf8'));
  } catch (err) {
    throw badRequest('the body is not valid JSON', undefined, { cause: err });
  }
  if (!isObject(parsed)) throw badRequest('the body must be a JSON object (ExportLogsServiceRequest)');
  return parsed;
}

/** Serves POST /v1/logs in its own scope: its own body parsing and OTLP-shaped errors. */
export async function registerOtlpLogs(fastify: FastifyInstance, app: AppContext, deployments: DeploymentLookups): Promise<void> {
  await fastify.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: BODY_LIMIT }, (_req, body, done) => done(null, body));
    scope.setErrorHandler((err, req, reply) => {
      if (err instanceof ApiError) {
        // A body that cannot be read: why exactly (the parser's words) is for the log only.
        if (err.cause !== undefined) req.log.debug({ err }, `OTLP logs: answered ${err.statusCode}`);
        return sendStatus(reply, err.statusCode, err.message);
      }
      const e = err as { statusCode?: number; code?: string; message: string };
      if (e.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return sendStatus(reply, 413, `the body is larger than ${BODY_LIMIT / 1024 / 1024} MiB`);
      if (classifyStoreError(err)) {
        req.log.warn({ err }, 'OTLP logs: store error');
        void reply.header('Retry-After', '5');
        return sendStatus(reply, 503, 'the store is busy or unavailable; retry later');
      }
      if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) return sendStatus(reply, 400, e.message);
      req.log.error({ err }, 'OTLP logs: unhandled error');
      return sendStatus(reply, 500, 'internal server error');
    });
    scope.post(OTLP_LOGS_PATH, async (req, reply) => {
      const principal = await authenticate(app, req.headers.authorization, req.ip);
      if (req.body === undefined || req.body === null) throw badRequest('a body is required (ExportLogsServiceRequest)');
      const { lines, rejected, reasons } = await collect(app, deployments, principal, decodeBody(req));
      await inTransaction(app.db, (tx) => appendLogLines(tx, lines));
      if (rejected === 0) return reply.type('application/json').send({});
      return reply.type('application/json').send({ partialSuccess: { rejectedLogRecords: String(rejected), errorMessage: [...reasons].join('; ') } });
    });
  });
}
