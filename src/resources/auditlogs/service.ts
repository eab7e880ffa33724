import { pipeline, Readable } from 'node:stream';
import { createGzip } from 'node:zlib';
import type { Static } from 'typebox';
import type { AppContext } from '../../context.js';
import { FieldCode, invalidField } from '../../core/errors.js';
import type { StreamedBody } from '../../http/operation.js';
import { storedTime } from '../../time.js';
import * as repo from './repo.js';
import type { AuditLogsQuery } from './schema.js';
import { auditLine } from './view.js';

/**
 * The audit log of an organization: one record per mutating API request (written by the
 * operation pipeline, src/http/audit.ts), read back as gzip-compressed newline-delimited JSON
 * for a time range, and kept ASTROLABE_AUDIT_RETENTION_DAYS days.
 */

const DAY_MS = 86_400_000;
/** Records read per query while streaming: memory stays flat however long the range. */
const PAGE = 500;
/** The latest time the stored form can order correctly (a four-digit year). */
const LATEST = Date.parse('9999-12-31T23:59:59.999Z');

function horizon(app: AppContext, now: Date): Date {
  return new Date(now.getTime() - app.config.auditRetentionDays * DAY_MS);
}

function bound(value: string | undefined, field: string): number | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw invalidField(field, FieldCode.datetime, `${field} must be a date and time such as 2026-01-02T03:04:05Z, got "${value.slice(0, 64)}"`);
  return ms;
}

async function* pages(app: AppContext, organizationId: string, range: repo.TimeRange, first: repo.AuditLogRow[]): AsyncGenerator<string> {
  let rows = first;
  for (;;) {
    if (rows.length > 0) yield rows.map(auditLine).join('');
    if (rows.length < PAGE) return;
    const last = rows.at(-1)!;
    rows = await repo.pageOfRecords(app.db, organizationId, range, { created_at: last.created_at, id: last.id }, PAGE);
  }
}

/**
 * The organization's records from startDate to endDate (both inclusive; absent start: as far
 * back as records are kept, absent end: now), oldest first. The CLI sends only startDate.
 */
export async function auditLogs(app: AppContext, organizationId: string, q: Static<typeof AuditLogsQuery>): Promise<StreamedBody> {
  const start = bound(q.startDate, 'startDate');
  const end = bound(q.endDate, 'endDate');
  if (start !== undefined && end !== undefined && start > end) {
    throw invalidField('endDate', FieldCode.gteField, 'endDate must not be before startDate');
  }
  const now = app.clock.now();
  const oldest = horizon(app, now);
  // Whatever the sweep has done, expired records are gone before anyone reads.
  await repo.deleteOlderThan(app.db, storedTime(oldest), organizationId);
  const range = {
    from: storedTime(new Date(Math.max(start ?? 0, oldest.getTime()))),
    to: storedTime(new Date(Math.min(end ?? now.getTime(), LATEST))),
  };
  // The first page is read before answering, so a store that cannot be read gets its error
  // answer rather than a broken stream.
  const first = range.from <= range.to ? await repo.pageOfRecords(app.db, organizationId, range, undefined, PAGE) : [];
  const gzip = createGzip();
  // A failure later on ends the stream with an error: the client sees the answer cut short.
  pipeline(Readable.from(pages(app, organizationId, range, first)), gzip, () => {});
  return { stream: gzip, contentEncoding: 'gzip' };
}

export interface RetentionHandle {
  close(): Promise<void>;
}

/** How often the retention sweep runs; the read path also drops an organization's expired records. */
const SWEEP_MS = 60 * 60 * 1000;

/**
 * Deletes records past the retention period, now and then every hour, on a timer that does not
 * keep the process alive. close() stops it and waits for a sweep under way.
 */
export async function startAuditRetention(app: AppContext, onError: (err: unknown) => void): Promise<RetentionHandle> {
  let running: Promise<void> = Promise.resolve();
  const sweep = () => {
    running = repo.deleteOlderThan(app.db, storedTime(horizon(app, app.clock.now()))).then(() => {}, onError);
    return running;
  };
  await sweep();
  const timer = setInterval(() => void sweep(), SWEEP_MS);
  timer.unref();
  return {
    close: async () => {
      clearInterval(timer);
      await running;
    },
  };
}
