import { sql, type Kysely } from 'kysely';

/**
 * The OIDC issuer URLs stored in clusters.metadata (generated when a cluster was created) named the
 * providers' real hosts; they now end in `.invalid`, which never resolves (src/platform/reserved.ts).
 * Each stored URL keeps everything else, so a cluster keeps its issuer path, addresses and DNS IP.
 * Only generated values live in that column, and each pattern below occurs only in an issuer URL.
 */
const HOSTS: [string, string][] = [
  ['.amazonaws.com/id/', '.amazonaws.com.invalid/id/'],
  ['.oic.prod-aks.azure.com/', '.oic.prod-aks.azure.com.invalid/'],
  ['//container.googleapis.com/', '//container.googleapis.com.invalid/'],
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const [from, to] of HOSTS) {
    await sql`update clusters set metadata = replace(metadata, ${from}, ${to}) where metadata like ${`%${from}%`}`.execute(db);
  }
}

export async function down(): Promise<void> {
  throw new Error('downgrades are not supported');
}
