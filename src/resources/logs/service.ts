import type { AppContext } from '../../context.js';
import { FieldCode, invalidField } from '../../core/errors.js';
import * as repo from './repo.js';
import { decodeSearchId, encodeSearchId, type FrozenSearch } from './search-id.js';
import { searchTerms } from './words.js';

export { appendLogLines, hibernationLoggedUntil, setHibernationLoggedUntil } from './repo.js';
export * as componentEvents from './component-events.js';

/** What a search asks for (GetDeploymentLogs' query, declared by the deployments family). */
export interface LogQuery {
  sources: repo.LogSource[];
  limit?: number;
  offset?: number;
  range?: number;
  maxNumResults?: number;
  searchId?: string;
  searchText?: string;
  startDate?: string;
  endDate?: string;
}

/** One page of a search, as GetDeploymentLogs answers it. */
export interface LogPage {
  limit: number;
  maxNumResults: number;
  offset: number;
  resultCount: number;
  results: { raw: string; source: repo.LogSource; timestamp: number }[];
  searchId: string;
}

/** Most lines one page returns, whatever limit asks for. */
export const PAGE_MAX = 10_000;

const DAY_US = 86_400_000_000;

/** The oldest time still kept: lines before it are gone or about to go. */
export function retentionStartUs(app: AppContext): number {
  return app.clock.now().getTime() * 1000 - app.config.logRetentionDays * DAY_US;
}

/** A date-time the schema let through as microseconds; some it accepts (a leap second) are no time JavaScript knows. */
function parsedUs(field: string, value: string): number {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw invalidField(field, FieldCode.datetime, `${field} must be an RFC 3339 date-time such as 2026-03-01T12:00:00Z`);
  return ms * 1000;
}

/** The search a first page defines: its window (within retention, never past now), words and snapshot. */
async function newSearch(app: AppContext, deploymentId: string, q: LogQuery): Promise<FrozenSearch> {
  const nowUs = app.clock.now().getTime() * 1000;
  let fromUs: number;
  let toUs: number;
  if (q.startDate !== undefined || q.endDate !== undefined) {
    if (q.startDate === undefined) throw invalidField('startDate', FieldCode.requiredWith, 'startDate is required when endDate is set');
    if (q.endDate === undefined) throw invalidField('endDate', FieldCode.requiredWith, 'endDate is required when startDate is set');
    fromUs = parsedUs('startDate', q.startDate);
    toUs = parsedUs('endDate', q.endDate);
    if (fromUs > toUs) throw invalidField('endDate', FieldCode.gteField, 'endDate must not be before startDate');
  } else {
    const range = q.range ?? 3600;
    fromUs = nowUs - Math.min(range, app.config.logRetentionDays * 86_400) * 1_000_000;
    toUs = nowUs;
  }
  const searchText = q.searchText ?? '';
  if (searchText.trim() !== '' && searchTerms(searchText).length === 0) {
    throw invalidField('searchText', FieldCode.words, 'searchText must hold at least one letter or digit: the search matches whole words');
  }
  return {
    deploymentId,
    sources: [...new Set(q.sources)].sort(),
    searchText,
    fromUs: Math.max(fromUs, retentionStartUs(app)),
    // Lines stamped later than now (a simulated component still starting) are not written yet.
    toUs: Math.min(toUs, nowUs),
    upToSeq: await repo.lastSeq(app.db),
    maxNumResults: q.maxNumResults ?? 10_000,
  };
}

/**
 * One page of a Deployment's log search (the caller has checked that the Deployment exists). A
 * first page (no searchId) fixes the search; a later page sends the searchId it got and reads the
 * same search at another offset, so lines written in between never shift it.
 */
export async function searchLogs(app: AppContext, deploymentId: string, q: LogQuery): Promise<LogPage> {
  let search: FrozenSearch;
  if (q.searchId !== undefined) {
    const frozen = await decodeSearchId(app.db, q.searchId);
    if (!frozen || frozen.deploymentId !== deploymentId) throw invalidField('searchId', FieldCode.invalid, 'searchId is not one this Deployment\'s log search returned');
    search = frozen;
  } else {
    search = await newSearch(app, deploymentId, q);
  }
  const limit = Math.min(q.limit ?? 500, PAGE_MAX);
  const offset = q.offset ?? 0;
  const take = Math.min(limit, search.maxNumResults - offset);
  const rows = take <= 0 ? [] : await repo.searchLogLines(app.db, {
    deploymentId,
    sources: search.sources,
    fromUs: Math.max(search.fromUs, retentionStartUs(app)),
    toUs: search.toUs,
    upToSeq: search.upToSeq,
    terms: searchTerms(search.searchText),
    offset,
    limit: take,
  });
  return {
    limit,
    maxNumResults: search.maxNumResults,
    offset,
    resultCount: rows.length,
    results: rows.map((r) => ({ raw: r.raw, source: r.source as repo.LogSource, timestamp: r.ts_us / 1e6 })),
    searchId: await encodeSearchId(app.db, search),
  };
}

/**
 * Deletes lines older than the retention period, `batch` lines per transaction, at most
 * `maxBatches` transactions per call; returns how many went.
 */
export async function pruneLogs(app: AppContext, batch = 5000, maxBatches = 100): Promise<number> {
  const before = retentionStartUs(app);
  let total = 0;
  for (let i = 0; i < maxBatches; i++) {
    const n = await repo.deleteLinesBefore(app.db, before, batch);
    total += n;
    if (n < batch) break;
  }
  return total;
}

/** How often a server deletes expired lines. */
const PRUNE_EVERY_MS = 10 * 60 * 1000;

/**
 * Deletes expired lines now and every PRUNE_EVERY_MS, on a timer that does not keep the process
 * alive; several server instances on one store may all do it (the deletes do not conflict).
 */
export function startLogRetention(app: AppContext, onError: (err: unknown) => void): { close(): void } {
  let running = false;
  const run = () => {
    if (running) return;
    running = true;
    pruneLogs(app).catch(onError).finally(() => { running = false; });
  };
  const first = setTimeout(run, 5000);
  const timer = setInterval(run, PRUNE_EVERY_MS);
  first.unref();
  timer.unref();
  return { close: () => { clearTimeout(first); clearInterval(timer); } };
}
