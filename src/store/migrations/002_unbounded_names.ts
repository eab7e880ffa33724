import type { Kysely } from 'kysely';

/**
 * Cluster and node-pool names have no length limit in the API, but a PostgreSQL btree entry must
 * fit in about a third of a page (~2.7 kB after compression), so a long enough name made inserts
 * fail there while SQLite stored it. Names leave those indexes on both stores, which keep one
 * schema. Sorting an organization's clusters by name now sorts that organization's rows (found
 * through clusters_org_created), which stay few; node pools were only ever looked up by cluster.
 * Organization and workspace names stay indexed: the API caps them at 50 characters.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('clusters_org_name').execute();
  await db.schema.dropIndex('cluster_node_pools_cluster').execute();
  await db.schema.createIndex('cluster_node_pools_cluster').on('cluster_node_pools').columns(['cluster_id']).execute();
}

export async function down(): Promise<void> {
  throw new Error('downgrades are not supported');
}
