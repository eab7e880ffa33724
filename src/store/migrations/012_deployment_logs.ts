import { PostgresAdapter, sql, type Kysely } from 'kysely';

/**
 * Component log lines of Deployments (owned by src/resources/logs/repo.ts).
 *
 * - seq: an increasing number given to each line as it is written, never reused (SQLite
 *   AUTOINCREMENT, a PostgreSQL identity); a log search remembers the largest one it saw, so its
 *   later pages ignore lines written since.
 * - ts_us: the line's time in microseconds since the epoch.
 * - Full-text search indexes the words of a line as the server cut them (see
 *   src/resources/logs/words.ts), so both stores find the same lines: on SQLite in an FTS5 table
 *   (contentless, rowid = seq, words split on spaces only by the `ascii` tokenizer, no positions:
 *   searches match words, not phrases; each line also holds a token naming its Deployment, so a
 *   search reads only that Deployment's matches), kept by the writer and by a delete trigger; on PostgreSQL in a tsvector column built from those words
 *   (no parser, no dictionary) with a GIN index.
 * - A Deployment's lines go with it (ON DELETE CASCADE), and so with its Organization.
 * - deployment_log_marks: up to when the hibernation of a Deployment's schedules has been logged
 *   (hibernation on a schedule happens with no request to write it at; it is logged later).
 */
export async function up(db: Kysely<any>): Promise<void> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  if (postgres) {
    await sql`create table deployment_log_lines (
      seq bigint generated always as identity primary key,
      organization_id text not null,
      deployment_id text not null references deployments(id) on delete cascade,
      source text not null,
      ts_us bigint not null,
      raw text not null,
      words tsvector not null
    )`.execute(db);
    await sql`create index deployment_log_lines_words on deployment_log_lines using gin (words)`.execute(db);
  } else {
    await sql`create table deployment_log_lines (
      seq integer primary key autoincrement,
      organization_id text not null,
      deployment_id text not null references deployments(id) on delete cascade,
      source text not null,
      ts_us integer not null,
      raw text not null
    )`.execute(db);
    await sql`create virtual table deployment_log_words using fts5(words, content='', contentless_delete=1, tokenize='ascii', detail=none)`.execute(db);
    // Cascaded deletes (a Deployment's) fire triggers too, so no path leaves words behind.
    await sql`create trigger deployment_log_lines_forget after delete on deployment_log_lines begin
      delete from deployment_log_words where rowid = old.seq;
    end`.execute(db);
  }
  await db.schema.createTable('deployment_log_marks')
    .addColumn('deployment_id', 'text', (c) => c.primaryKey().references('deployments.id').onDelete('cascade'))
    .addColumn('hibernation_logged_until', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('deployment_log_lines_window').on('deployment_log_lines').columns(['deployment_id', 'ts_us', 'seq']).execute();
  await db.schema.createIndex('deployment_log_lines_age').on('deployment_log_lines').columns(['ts_us']).execute();
}

export async function down(): Promise<void> {
  throw new Error('downgrades are not supported');
}
