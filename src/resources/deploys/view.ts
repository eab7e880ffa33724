import { auditRefs, resolveProfiles } from '../../auth/subjects.js';
import { runtimeRelease } from '../../platform/catalog.js';
import type { Queryable } from '../../store/types.js';
import { toBool } from '../../store/codecs.js';
import { wireTime } from '../../time.js';
import * as repo from './repo.js';
import type { DeployGitView, DeployView } from './schema.js';
import { signedUploadUrl } from './signing.js';

/** How views reach the outside: the signing key and the base URL of upload URLs. */
export interface ViewContext {
  key: Buffer;
  baseUrl: string;
}

const DAG_TYPES = new Set(['DAG_ONLY', 'IMAGE_AND_DAG']);

/** A BUNDLE deploy's mount path: required on create (and no rollback makes a BUNDLE deploy), so always stored. */
function mountPath(r: repo.DeployRow): string {
  if (r.bundle_mount_path === null) throw new Error(`BUNDLE deploy ${r.id} has no stored bundle mount path`);
  return r.bundle_mount_path;
}

/** The canonical read model of deploys, as /v1 shows them. */
export async function deployViews(db: Queryable, rows: repo.DeployRow[], ctx: ViewContext): Promise<DeployView[]> {
  if (rows.length === 0) return [];
  const profiles = await resolveProfiles(db, auditRefs(rows));
  const bundleDeployments = [...new Set(rows.filter((r) => r.type === 'BUNDLE').map((r) => r.deployment_id))];
  const bundles = new Map<string, repo.BundleRow[]>();
  for (const id of bundleDeployments) bundles.set(id, await repo.bundlesOf(db, id));
  return rows.map((r) => {
    const dagEnabled = toBool(r.is_dag_deploy_enabled);
    const bundle = r.type === 'BUNDLE';
    return {
      airflowVersion: runtimeRelease(r.runtime_version).airflowVersion,
      astroRuntimeVersion: r.runtime_version,
      ...(bundle ? {
        bundleMountPath: mountPath(r),
        bundleUploadUrl: signedUploadUrl(ctx.key, ctx.baseUrl, r.id, 'bundle', r.upload_expires_at),
        bundles: (bundles.get(r.deployment_id) ?? []).map((b) => ({
          bundleType: b.bundle_type, currentVersion: b.version, deployId: b.deploy_id, desiredVersion: b.version, mountPath: b.mount_path,
        })),
      } : {}),
      createdAt: wireTime(r.created_at),
      createdBySubject: profiles.get(r.created_by_id),
      ...(r.dag_tarball_version !== null ? { dagTarballVersion: r.dag_tarball_version } : {}),
      ...(dagEnabled && DAG_TYPES.has(r.type) ? { dagsUploadUrl: signedUploadUrl(ctx.key, ctx.baseUrl, r.id, 'dags', r.upload_expires_at) } : {}),
      deploymentId: r.deployment_id,
      ...(r.description !== null ? { description: r.description } : {}),
      ...(r.git !== null ? { git: JSON.parse(r.git) as DeployGitView } : {}),
      id: r.id,
      imageRepository: r.image_repository,
      imageTag: r.image_tag,
      isDagDeployEnabled: dagEnabled,
      ...(r.rollback_from_id !== null ? { rollbackFromId: r.rollback_from_id } : {}),
      status: r.status as DeployView['status'],
      type: bundle ? 'DAG_ONLY' : (r.type as DeployView['type']),
      updatedAt: wireTime(r.updated_at),
      updatedBySubject: profiles.get(r.updated_by_id),
    };
  });
}

export async function deployView(db: Queryable, row: repo.DeployRow, ctx: ViewContext): Promise<DeployView> {
  return (await deployViews(db, [row], ctx))[0]!;
}
