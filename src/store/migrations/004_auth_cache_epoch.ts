import type { Kysely } from 'kysely';

/**
 * One row counting changes to what servers keep in memory between requests (principals, token
 * and organization names): every such change adds one in its own transaction, and each server
 * clears its cache when it sees the count move. Owned by src/store/cache.ts.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('auth_cache_epoch')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('epoch', 'integer', (c) => c.notNull())
    .execute();
  await db.insertInto('auth_cache_epoch').values({ id: 1, epoch: 0 }).execute();
}

export async function down(): Promise<void> {
  throw new Error('downgrades are not supported');
}
