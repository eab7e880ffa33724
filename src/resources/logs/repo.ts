import { sql } from 'kysely';
import { storeKind } from '../../store/open.js';
import { withinTransaction } from '../../store/transactions.js';
import type { Queryable } from '../../store/types.js';
import { ftsDocument, ftsQuery, tsqueryLiteral, tsvectorLiteral, wordsOf, type SearchTerm } from './words.js';

/**
 * The one owner of deployment_log_lines, its search words and deployment_log_marks (migration 012). Every line is
 * written by appendLogLines, whoever produces it: the simulated components, OTLP ingestion,
 * deploys.
 */

export const LOG_SOURCES = ['scheduler', 'triggerer', 'worker', 'webserver', 'dag-processor', 'apiserver'] as const;
export type LogSource = (typeof LOG_SOURCES)[number];

/** Longest raw line kept, in characters; longer ones are cut (and say so). */
export const MAX_RAW = 32 * 1024;
const CUT_MARK = ' …[cut]';

export interface NewLogLine {
  organizationId: string;
  deploymentId: string;
  source: LogSource;
  /** Microseconds since the epoch. */
  timeUs: number;
  raw: string;
  /** Words found by a search without being in the raw text, such as an OTLP record's severity. */
  extraWords?: string;
}

export interface LogLineRow {
  seq: number;
  source: string;
  ts_us: number;
  raw: string;
}

/** Rows per INSERT: 6 parameters a row stays well under both stores' limits. */
const BATCH = 1000;

/** NUL cannot be stored in PostgreSQL text and lone surrogates not in either store's UTF-8: both become U+FFFD. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const wellFormed = (s: string) => s.replace(LONE_SURROGATE, '\uFFFD');

function storable(raw: string): string {
  let s = wellFormed(raw);
  if (s.includes('\u0000')) s = s.replaceAll('\u0000', '\uFFFD');
  if (s.length > MAX_RAW) s = wellFormed(s.slice(0, MAX_RAW - CUT_MARK.length)) + CUT_MARK;
  return s;
}

/**
 * A lock every writer of log lines takes on PostgreSQL and keeps until its transaction ends, so
 * lines commit in seq order: a search that saw seq N has seen every line up to N that will ever
 * exist. (SQLite writes one transaction at a time anyway.) Taken last in any transaction, after
 * the row locks of the change that writes the lines, so it adds no lock-order cycles.
 */
const WRITER_LOCK = 0x4c4f4753; // "LOGS"

/**
 * Appends log lines in `q` (one transaction: inside the caller's when it is one). Lines are
 * numbered in the order given.
 */
export async function appendLogLines(q: Queryable, lines: NewLogLine[]): Promise<void> {
  if (lines.length === 0) return;
  await withinTransaction(q, async (tx) => {
    if (storeKind(tx) === 'postgres') {
      await sql`select pg_advisory_xact_lock(${WRITER_LOCK})`.execute(tx);
      for (let i = 0; i < lines.length; i += BATCH) {
        const values = lines.slice(i, i + BATCH).map((l) => {
          const raw = storable(l.raw);
          const words = wordsOf(l.extraWords ? `${raw} ${l.extraWords}` : raw);
          return sql`(${l.organizationId}, ${l.deploymentId}, ${l.source}, ${Math.trunc(l.timeUs)}, ${raw}, ${tsvectorLiteral(words)}::tsvector)`;
        });
        await sql`insert into deployment_log_lines (organization_id, deployment_id, source, ts_us, raw, words) values ${sql.join(values)}`.execute(tx);
      }
      return;
    }
    // SQLite: the numbers are given here, after the last ever used (AUTOINCREMENT's record keeps
    // numbers of deleted lines from coming back), so the words can go under the same rowid.
    const last = await sql<{ n: number | null }>`select max(n) as n from (
      select max(seq) as n from deployment_log_lines
      union all select seq as n from sqlite_sequence where name = 'deployment_log_lines')`.execute(tx);
    let seq = Number(last.rows[0]?.n ?? 0);
    for (let i = 0; i < lines.length; i += BATCH) {
      const rows: ReturnType<typeof sql>[] = [];
      const docs: ReturnType<typeof sql>[] = [];
      for (const l of lines.slice(i, i + BATCH)) {
        seq += 1;
        const raw = storable(l.raw);
        rows.push(sql`(${seq}, ${l.organizationId}, ${l.deploymentId}, ${l.source}, ${Math.trunc(l.timeUs)}, ${raw})`);
        docs.push(sql`(${seq}, ${ftsDocument(l.deploymentId, wordsOf(l.extraWords ? `${raw} ${l.extraWords}` : raw))})`);
      }
      await sql`insert into deployment_log_lines (seq, organization_id, deployment_id, source, ts_us, raw) values ${sql.join(rows)}`.execute(tx);
      await sql`insert into deployment_log_words (rowid, words) values ${sql.join(docs)}`.execute(tx);
    }
  });
}

/** The largest line number written so far (0 before any): the snapshot a new search keeps to. */
export async function lastSeq(q: Queryable): Promise<number> {
  const r = await q.selectFrom('deployment_log_lines').select((eb) => eb.fn.max('seq').as('n')).executeTakeFirst();
  return Number(r?.n ?? 0);
}

export interface LogQuery {
  deploymentId: string;
  sources: LogSource[];
  /** Inclusive window, microseconds since the epoch. */
  fromUs: number;
  toUs: number;
  /** Lines numbered above this are left out. */
  upToSeq: number;
  terms: SearchTerm[];
  offset: number;
  limit: number;
}

/**
 * Matches (in the Deployment) up to which a text search on SQLite starts from the words table:
 * each match is looked up, then sorted. Above it, it walks the Deployment's lines newest first,
 * keeping those in the list of matches, and stops at the page's end.
 */
const FEW_MATCHES = 10_000;

/** A page of matching lines, newest first (same time: the later written first). */
export async function searchLogLines(q: Queryable, f: LogQuery): Promise<LogLineRow[]> {
  if (f.limit <= 0 || f.sources.length === 0 || f.fromUs > f.toUs) return [];
  const postgres = storeKind(q) === 'postgres';
  const filters = sql`l.deployment_id = ${f.deploymentId} and l.ts_us >= ${f.fromUs} and l.ts_us <= ${f.toUs} and l.seq <= ${f.upToSeq}
    and l.source in (${sql.join(f.sources)})`;
  const page = sql`order by l.ts_us desc, l.seq desc limit ${f.limit} offset ${f.offset}`;
  let query;
  if (f.terms.length === 0) {
    query = sql<LogLineRow>`select l.seq, l.source, l.ts_us, l.raw from deployment_log_lines l where ${filters} ${page}`;
  } else if (postgres) {
    query = sql<LogLineRow>`select l.seq, l.source, l.ts_us, l.raw from deployment_log_lines l
      where ${filters} and l.words @@ ${tsqueryLiteral(f.terms)}::tsquery ${page}`;
  } else {
    const match = ftsQuery(f.deploymentId, f.terms);
    const counted = await sql<{ n: number }>`select count(*) as n from (select rowid from deployment_log_words where deployment_log_words match ${match} limit ${FEW_MATCHES + 1})`.execute(q);
    query = Number(counted.rows[0]?.n ?? 0) <= FEW_MATCHES
      // CROSS JOIN keeps the words table as the outer loop.
      ? sql<LogLineRow>`select l.seq, l.source, l.ts_us, l.raw from deployment_log_words w cross join deployment_log_lines l on l.seq = w.rowid
          where w.deployment_log_words match ${match} and ${filters} ${page}`
      : sql<LogLineRow>`select l.seq, l.source, l.ts_us, l.raw from deployment_log_lines l
          where ${filters} and l.seq in (select rowid from deployment_log_words where deployment_log_words match ${match}) ${page}`;
  }
  const rows = (await query.execute(q)).rows;
  return rows.map((r) => ({ seq: Number(r.seq), source: r.source, ts_us: Number(r.ts_us), raw: r.raw }));
}

/**
 * Deletes up to `batch` lines older than `beforeUs` (oldest first); returns how many went. Small
 * batches keep each transaction short while writers wait.
 */
export async function deleteLinesBefore(q: Queryable, beforeUs: number, batch: number): Promise<number> {
  const r = await q.deleteFrom('deployment_log_lines')
    .where('seq', 'in', (eb) => eb.selectFrom('deployment_log_lines').select('seq').where('ts_us', '<', beforeUs).orderBy('ts_us').limit(batch))
    .executeTakeFirst();
  return Number(r.numDeletedRows);
}

/** Up to when (stored time) the hibernation of a Deployment's schedules is logged; undefined: not yet. */
export async function hibernationLoggedUntil(q: Queryable, deploymentId: string): Promise<string | undefined> {
  const r = await q.selectFrom('deployment_log_marks').select('hibernation_logged_until').where('deployment_id', '=', deploymentId).executeTakeFirst();
  return r?.hibernation_logged_until;
}

export async function setHibernationLoggedUntil(q: Queryable, deploymentId: string, at: string): Promise<void> {
  await q.insertInto('deployment_log_marks').values({ deployment_id: deploymentId, hibernation_logged_until: at })
    .onConflict((oc) => oc.column('deployment_id').doUpdateSet({ hibernation_logged_until: at })).execute();
}
