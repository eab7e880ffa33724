import type { Insertable, Selectable, Updateable } from 'kysely';
import type { Queryable } from '../../store/types.js';
import { paginate, type PageRequest } from '../../store/pagination.js';
import type { DeploymentBundlesTable, DeploysTable, DeployUploadsTable } from '../../store/schema.js';

/**
 * The one owner of deploys, deploy_uploads, upload_blocks, blob_contents and deployment_bundles.
 * A Deployment's deploys, bundles and (through its deploys) uploads and staged blocks go with it
 * (ON DELETE CASCADE).
 */

export type DeployRow = Selectable<DeploysTable>;
export type UploadRow = Selectable<DeployUploadsTable>;
export type BundleRow = Selectable<DeploymentBundlesTable>;
export type UploadKind = 'dags' | 'bundle';

export function findDeploy(db: Queryable, organizationId: string, deploymentId: string, id: string): Promise<DeployRow | undefined> {
  return db.selectFrom('deploys').selectAll()
    .where('organization_id', '=', organizationId).where('deployment_id', '=', deploymentId).where('id', '=', id)
    .executeTakeFirst();
}

/** A deploy by id alone (the upload endpoint, whose signed URL names the deploy). */
export function findDeployById(db: Queryable, id: string): Promise<DeployRow | undefined> {
  return db.selectFrom('deploys').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Takes the deploy's row lock (an update that changes nothing), so uploads to one deploy take turns. */
export async function lockDeploy(db: Queryable, id: string): Promise<void> {
  await db.updateTable('deploys').set((eb) => ({ updated_at: eb.ref('updated_at') })).where('id', '=', id).execute();
}

/** The number the next deploy of a Deployment gets (call under the Deployment's row lock). */
export async function nextSeq(db: Queryable, deploymentId: string): Promise<number> {
  const r = await db.selectFrom('deploys').select((eb) => eb.fn.max<number | null>('seq').as('n')).where('deployment_id', '=', deploymentId).executeTakeFirst();
  return Number(r?.n ?? 0) + 1;
}

export async function insertDeploy(db: Queryable, row: Insertable<DeploysTable>): Promise<void> {
  await db.insertInto('deploys').values(row).execute();
}

export async function updateDeploy(db: Queryable, id: string, changes: Omit<Updateable<DeploysTable>, 'id' | 'organization_id' | 'deployment_id' | 'seq'>): Promise<void> {
  await db.updateTable('deploys').set(changes).where('id', '=', id).execute();
}

/** A Deployment's deploys, newest first. */
export function listDeploys(db: Queryable, organizationId: string, deploymentId: string, page: PageRequest) {
  const q = db.selectFrom('deploys').selectAll().where('organization_id', '=', organizationId).where('deployment_id', '=', deploymentId);
  return paginate(q, { offset: page.offset, limit: page.limit }, { seq: 'seq' }, 'seq:desc', 'id');
}

/** The deploy a Deployment runs now: its last finalized one (a rollback included). */
export function currentDeploy(db: Queryable, deploymentId: string): Promise<DeployRow | undefined> {
  return db.selectFrom('deploys').selectAll().where('deployment_id', '=', deploymentId).where('status', '=', 'DEPLOYED')
    .orderBy('seq', 'desc').limit(1).executeTakeFirst();
}

/** The DAG tarball in effect once deploy number `seq` was finalized: the last DAG version set up to it. */
export async function dagVersionAt(db: Queryable, deploymentId: string, seq: number): Promise<string | undefined> {
  const r = await db.selectFrom('deploys').select('dag_tarball_version').where('deployment_id', '=', deploymentId)
    .where('status', '=', 'DEPLOYED').where('seq', '<=', seq).where('dag_tarball_version', 'is not', null)
    .orderBy('seq', 'desc').limit(1).executeTakeFirst();
  return r?.dag_tarball_version ?? undefined;
}

// ---------------------------------------------------------------- uploads

export function findUpload(db: Queryable, deployId: string, kind: UploadKind, version: string): Promise<UploadRow | undefined> {
  return db.selectFrom('deploy_uploads').selectAll().where('deploy_id', '=', deployId).where('kind', '=', kind).where('version', '=', version).executeTakeFirst();
}

export async function countUploads(db: Queryable, deployId: string, kind: UploadKind): Promise<number> {
  const r = await db.selectFrom('deploy_uploads').select((eb) => eb.fn.countAll<string | number>().as('n')).where('deploy_id', '=', deployId).where('kind', '=', kind).executeTakeFirst();
  return Number(r?.n ?? 0);
}

export async function insertUpload(db: Queryable, row: Insertable<DeployUploadsTable>): Promise<void> {
  await db.insertInto('deploy_uploads').values(row).execute();
}

// ---------------------------------------------------------------- staged blocks

/** Stages a block; staging a block id again replaces it, as Azure does. */
export async function stageBlock(db: Queryable, deployId: string, kind: UploadKind, blockId: string, content: Buffer, at: string): Promise<void> {
  await db.insertInto('upload_blocks').values({ deploy_id: deployId, kind, block_id: blockId, content, size: content.length, staged_at: at })
    .onConflict((oc) => oc.columns(['deploy_id', 'kind', 'block_id']).doUpdateSet({ content, size: content.length, staged_at: at }))
    .execute();
}

/** Bytes staged for a deploy's upload, the block `except` left out (it is being replaced). */
export async function stagedBytes(db: Queryable, deployId: string, kind: UploadKind, except: string): Promise<number> {
  const r = await db.selectFrom('upload_blocks').select((eb) => eb.fn.sum<string | number | null>('size').as('n'))
    .where('deploy_id', '=', deployId).where('kind', '=', kind).where('block_id', '!=', except).executeTakeFirst();
  return Number(r?.n ?? 0);
}

export interface StagedBlock {
  size: number;
  stagedAt: string;
}

/** The staged blocks of an upload (size and when each was last staged), by block id. */
export async function stagedBlocks(db: Queryable, deployId: string, kind: UploadKind): Promise<Map<string, StagedBlock>> {
  const rows = await db.selectFrom('upload_blocks').select(['block_id', 'size', 'staged_at']).where('deploy_id', '=', deployId).where('kind', '=', kind).execute();
  return new Map(rows.map((r) => [r.block_id, { size: Number(r.size), stagedAt: r.staged_at }]));
}

export async function blockContent(db: Queryable, deployId: string, kind: UploadKind, blockId: string): Promise<Buffer | undefined> {
  const r = await db.selectFrom('upload_blocks').select('content').where('deploy_id', '=', deployId).where('kind', '=', kind).where('block_id', '=', blockId).executeTakeFirst();
  return r ? Buffer.from(r.content) : undefined;
}

/** Drops every staged block of an upload (its block list was committed: Azure discards the rest). */
export async function clearBlocks(db: Queryable, deployId: string, kind: UploadKind): Promise<void> {
  await db.deleteFrom('upload_blocks').where('deploy_id', '=', deployId).where('kind', '=', kind).execute();
}

/** Drops blocks staged before `cutoff` that were never committed. */
export async function expireBlocks(db: Queryable, cutoff: string): Promise<void> {
  await db.deleteFrom('upload_blocks').where('staged_at', '<', cutoff).execute();
}

// ---------------------------------------------------------------- tarball bytes (PostgreSQL)

export async function putBlobContent(db: Queryable, sha256: string, content: Buffer): Promise<void> {
  await db.insertInto('blob_contents').values({ sha256, size: content.length, content })
    .onConflict((oc) => oc.column('sha256').doNothing()).execute();
}

export async function blobContent(db: Queryable, sha256: string): Promise<Buffer | undefined> {
  const r = await db.selectFrom('blob_contents').select('content').where('sha256', '=', sha256).executeTakeFirst();
  return r ? Buffer.from(r.content) : undefined;
}

// ---------------------------------------------------------------- bundles

export async function bundlesOf(db: Queryable, deploymentId: string): Promise<BundleRow[]> {
  return db.selectFrom('deployment_bundles').selectAll().where('deployment_id', '=', deploymentId).orderBy('mount_path').execute();
}

export async function putBundle(db: Queryable, row: BundleRow): Promise<void> {
  await db.insertInto('deployment_bundles').values(row)
    .onConflict((oc) => oc.columns(['deployment_id', 'mount_path']).doUpdateSet({ bundle_type: row.bundle_type, deploy_id: row.deploy_id, version: row.version }))
    .execute();
}

export async function removeBundle(db: Queryable, deploymentId: string, mountPath: string): Promise<void> {
  await db.deleteFrom('deployment_bundles').where('deployment_id', '=', deploymentId).where('mount_path', '=', mountPath).execute();
}
