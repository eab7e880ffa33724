import { Migrator, type Migration, type MigrationProvider } from 'kysely';
import type { SecretBox } from '../crypto.js';
import type { Db } from '../types.js';
import * as m001 from './001_foundation.js';
import * as m002 from './002_unbounded_names.js';
import * as m003 from './003_deployments.js';
import * as m004 from './004_auth_cache_epoch.js';
import * as m005 from './005_workspace_counts.js';
import * as m006 from './006_list_page_marks.js';
import * as m007 from './007_identity.js';
import * as m008 from './008_custom_roles.js';
import * as m009 from './009_audit_log.js';
import * as m010 from './010_environment_objects.js';
import * as m011 from './011_deploys.js';
import * as m012 from './012_deployment_logs.js';
import * as m013 from './013_alerts.js';
import * as m014 from './014_reserved_cluster_metadata.js';

/** The connection a migration runs on (inside its own transaction). */
export type MigrationDb = Parameters<Migration['up']>[0];

/** The migrations, given how a migration that seals secrets gets the store's secret box. */
function migrationsWith(box: (db: MigrationDb) => Promise<SecretBox>): Record<string, Migration> {
  return {
    '001_foundation': m001,
    '002_unbounded_names': m002,
    '003_deployments': m003,
    '004_auth_cache_epoch': m004,
    '005_workspace_counts': m005,
    '006_list_page_marks': m006,
    '007_identity': m007,
    '008_custom_roles': m008,
    '009_audit_log': m009,
    '010_environment_objects': { up: async (db) => m010.up(db, await box(db)), down: m010.down },
    '011_deploys': m011,
    '012_deployment_logs': m012,
    '013_alerts': m013,
    '014_reserved_cluster_metadata': m014,
  };
}

class InCodeMigrations implements MigrationProvider {
  constructor(private readonly migrations: Record<string, Migration>) {}
  async getMigrations(): Promise<Record<string, Migration>> {
    return this.migrations;
  }
}

/**
 * Runs every migration `db` has not run yet; `box` answers the store's secret box to a migration
 * that seals secrets. Throws what a failed migration threw.
 */
export async function migrateToLatest(db: Db, box: (db: MigrationDb) => Promise<SecretBox>): Promise<void> {
  // Migrations are numbered per change set and change sets land in any order, so a store may
  // have run a later-numbered migration before an earlier one exists: each touches only its own
  // tables, and the order they ran in does not matter.
  const migrator = new Migrator({ db, provider: new InCodeMigrations(migrationsWith(box)), allowUnorderedMigrations: true });
  const { error } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
}
