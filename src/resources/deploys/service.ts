import { actor, type Target } from '../../auth/access.js';
import type { Principal } from '../../auth/principal.js';
import type { AppContext } from '../../context.js';
import { badRequest, conflict, FieldCode, forbidden, found, invalidField, notFound } from '../../core/errors.js';
import { requireText } from '../../core/rules.js';
import { isAirflow3 } from '../../platform/catalog.js';
import { createdColumns, updatedColumns } from '../../store/audit.js';
import { fromBool, toBool } from '../../store/codecs.js';
import { inTransaction } from '../../store/transactions.js';
import type { Queryable, Tx } from '../../store/types.js';
import { newId } from '../../store/ids.js';
import { envelope, type PageRequest } from '../../store/pagination.js';
import { storedTime } from '../../time.js';
import { applyDeploy, deploymentTarget, lockForDeploy, type DeployTarget } from '../deployments/service.js';
import { appendLogLines, type NewLogLine } from '../logs/repo.js';
import * as repo from './repo.js';
import type { CreateDeployBody, DeployRollbackBody, DeployView, FinalizeDeployBody, UpdateDeployBody } from './schema.js';
import { imageInRegistry, repositoryOn } from './registry.js';
import { UPLOAD_URL_SECONDS, uploadKey } from './signing.js';
import { deployView, deployViews, type ViewContext } from './view.js';

/*
 * Deploys: the record of each change of code or image of a Deployment. A deploy is created
 * (INITIALIZED, with the image tag to push and signed upload URLs), its tarballs are uploaded to
 * the upload endpoint (upload.ts), and finalizing it (DEPLOYED) rolls it out to the Deployment;
 * an image deploy whose image the configured registry does not have ends FAILED instead.
 * A rollback re-applies an earlier deploy as a new, already finalized one.
 */

/** What every deploy operation acts on: the Deployment of the path and its Workspace. */
export function deployTarget(app: AppContext, organizationId: string, deploymentId: string): Promise<Target> {
  return deploymentTarget(app, organizationId, deploymentId);
}

async function viewContext(app: AppContext, baseUrl: string): Promise<ViewContext> {
  return { key: await uploadKey(app.db), baseUrl };
}

/** The Deployment under its row lock, or the 404 of a Deployment that is not there. */
async function lockTarget(app: AppContext, tx: Tx, organizationId: string, deploymentId: string): Promise<DeployTarget> {
  const target = await lockForDeploy(app, tx, organizationId, deploymentId);
  if (!target) throw notFound('Deployment');
  return target;
}

/** Rules every change of a Deployment's code or image follows. */
function checkDeployable(p: Principal, target: DeployTarget): void {
  // CI/CD enforcement lets only API tokens deploy (the server has no user logins yet, so this is
  // a guard for later surfaces).
  if (target.isCicdEnforced && p.subjectType === 'USER') {
    throw forbidden('The Deployment enforces CI/CD: deploys must be made with an API token');
  }
  // While it is being created a Deployment takes no deploy (domain.md §1.1), as it takes no settings change.
  if (target.status === 'CREATING') throw conflict('The Deployment is CREATING: nothing can be deployed to it until it is ready (status HEALTHY); try again then');
  if (target.status === 'HIBERNATING') throw badRequest('Invalid request: the Deployment is hibernating; deploys are blocked until it wakes');
}

function checkGit(git: CreateDeployBody['git']): void {
  if (!git) return;
  requireText('git.commitSha', git.commitSha);
  const has = (v: string | undefined) => v !== undefined && v.trim() !== '';
  if (git.provider === 'GITHUB') {
    if (!has(git.account)) throw invalidField('git.account', FieldCode.required, 'git.account is required for GITHUB');
    if (!has(git.repo)) throw invalidField('git.repo', FieldCode.required, 'git.repo is required for GITHUB');
    if (has(git.remoteUrl)) throw invalidField('git.remoteUrl', FieldCode.excludedIf, 'git.remoteUrl must be empty for GITHUB');
  } else {
    if (!has(git.remoteUrl)) throw invalidField('git.remoteUrl', FieldCode.required, 'git.remoteUrl is required for GENERIC');
    if (has(git.account)) throw invalidField('git.account', FieldCode.excludedIf, 'git.account must be empty for GENERIC');
    if (has(git.repo)) throw invalidField('git.repo', FieldCode.excludedIf, 'git.repo must be empty for GENERIC');
  }
}

const IMAGE_TYPES = new Set(['IMAGE_AND_DAG', 'IMAGE_ONLY']);
const MAX_BUNDLE_FIELD = 1024;

/** The Deployment's existence, read without a lock (reads of deploys). */
async function requireDeployment(app: AppContext, organizationId: string, deploymentId: string): Promise<void> {
  const t = await deploymentTarget(app, organizationId, deploymentId);
  if (t.deploymentId === undefined) throw notFound('Deployment');
}

// ---------------------------------------------------------------- read

export async function listDeploys(app: AppContext, baseUrl: string, organizationId: string, deploymentId: string, page: PageRequest) {
  await requireDeployment(app, organizationId, deploymentId);
  const ctx = await viewContext(app, baseUrl);
  const rows = await repo.listDeploys(app.db, organizationId, deploymentId, page);
  return envelope('deploys', rows, await deployViews(app.db, rows.items, ctx));
}

async function loadDeploy(db: Queryable, organizationId: string, deploymentId: string, deployId: string): Promise<repo.DeployRow> {
  return found(await repo.findDeploy(db, organizationId, deploymentId, deployId), 'Deploy');
}

export async function getDeploy(app: AppContext, baseUrl: string, organizationId: string, deploymentId: string, deployId: string): Promise<DeployView> {
  const ctx = await viewContext(app, baseUrl);
  return deployView(app.db, await loadDeploy(app.db, organizationId, deploymentId, deployId), ctx);
}

// ---------------------------------------------------------------- create

/**
 * Opens a deploy. Image deploys get the next image tag (`deploy-<n>`, n counting the Deployment's
 * deploys from 1) under the Deployment's image repository; DAG and bundle deploys report the image
 * the Deployment runs. DAG_ONLY and BUNDLE deploys need DAG deploys enabled; DAG deploys on such a
 * Deployment get a dagsUploadUrl, BUNDLE deploys a bundleUploadUrl.
 */
export async function createDeploy(app: AppContext, p: Principal, baseUrl: string, organizationId: string, deploymentId: string, body: CreateDeployBody): Promise<DeployView> {
  const ctx = await viewContext(app, baseUrl);
  checkGit(body.git);
  const bundle = body.type === 'BUNDLE';
  if (bundle) {
    for (const field of ['bundleType', 'bundleMountPath'] as const) {
      requireText(field, body[field]);
      // Both key the Deployment's bundles (an index on PostgreSQL): a bound both stores keep alike.
      if (body[field]!.length > MAX_BUNDLE_FIELD) throw invalidField(field, FieldCode.max, `${field} must be at most ${MAX_BUNDLE_FIELD} characters`);
    }
  } else {
    if (body.bundleType !== undefined) throw invalidField('bundleType', FieldCode.excludedUnless, 'bundleType is only for BUNDLE deploys');
    if (body.bundleMountPath !== undefined) throw invalidField('bundleMountPath', FieldCode.excludedUnless, 'bundleMountPath is only for BUNDLE deploys');
  }
  return inTransaction(app.db, async (tx) => {
    const target = await lockTarget(app, tx, organizationId, deploymentId);
    checkDeployable(p, target);
    if ((body.type === 'DAG_ONLY' || bundle) && !target.isDagDeployEnabled) {
      throw invalidField('type', FieldCode.dagDeploy, `${body.type} deploys need DAG deploys enabled on the Deployment (isDagDeployEnabled)`);
    }
    const now = app.clock.now();
    const seq = await repo.nextSeq(tx, deploymentId);
    const id = newId();
    await repo.insertDeploy(tx, {
      id,
      organization_id: organizationId,
      deployment_id: deploymentId,
      seq,
      type: body.type,
      status: 'INITIALIZED',
      description: body.description ?? null,
      git: body.git ? JSON.stringify(body.git) : null,
      runtime_version: target.runtimeVersion,
      image_repository: target.imageRepository,
      image_tag: IMAGE_TYPES.has(body.type) ? `deploy-${seq}` : target.imageTag,
      is_dag_deploy_enabled: fromBool(target.isDagDeployEnabled),
      dag_tarball_version: null,
      bundle_type: bundle ? body.bundleType! : null,
      bundle_mount_path: bundle ? body.bundleMountPath! : null,
      bundle_tarball_version: null,
      rollback_from_id: null,
      upload_expires_at: storedTime(new Date(now.getTime() + UPLOAD_URL_SECONDS * 1000)),
      ...createdColumns(actor(p), now),
    });
    return deployView(tx, await loadDeploy(tx, organizationId, deploymentId, id), ctx);
  });
}

// ---------------------------------------------------------------- update

export async function updateDeploy(app: AppContext, p: Principal, baseUrl: string, organizationId: string, deploymentId: string, deployId: string, body: UpdateDeployBody): Promise<DeployView> {
  const ctx = await viewContext(app, baseUrl);
  return inTransaction(app.db, async (tx) => {
    await lockTarget(app, tx, organizationId, deploymentId);
    await loadDeploy(tx, organizationId, deploymentId, deployId);
    if (body.description !== undefined) {
      await repo.updateDeploy(tx, deployId, { description: body.description, ...updatedColumns(actor(p), app.clock.now()) });
    }
    return deployView(tx, await loadDeploy(tx, organizationId, deploymentId, deployId), ctx);
  });
}

// ---------------------------------------------------------------- finalize

/** What a finalize sets: the tarball versions it names, checked against the deploy's uploads. */
interface Finalized {
  dagTarballVersion?: string;
  /** BUNDLE deploys: the bundle version, or null when "" removes the bundle. */
  bundleTarballVersion?: string | null;
}

async function checkUploaded(tx: Queryable, deploy: repo.DeployRow, kind: repo.UploadKind, field: string, version: string): Promise<void> {
  if (!(await repo.findUpload(tx, deploy.id, kind, version))) {
    throw invalidField(field, FieldCode.uploaded, `${field} "${version}" was not uploaded for this deploy: use the x-ms-version-id its upload answered`);
  }
}

/** Which versions a finalize body sets for this deploy, or the 400 of one it may not. */
async function finalizedVersions(tx: Queryable, deploy: repo.DeployRow, target: DeployTarget, body: FinalizeDeployBody): Promise<Finalized> {
  if (deploy.type === 'BUNDLE') {
    if (body.dagTarballVersion !== undefined && body.dagTarballVersion !== '') throw invalidField('dagTarballVersion', FieldCode.excluded, 'dagTarballVersion is not for BUNDLE deploys: send bundleTarballVersion');
    const v = body.bundleTarballVersion;
    if (v === undefined) throw invalidField('bundleTarballVersion', FieldCode.required, 'bundleTarballVersion is required for BUNDLE deploys ("" removes the bundle)');
    if (v === '') return { bundleTarballVersion: null };
    await checkUploaded(tx, deploy, 'bundle', 'bundleTarballVersion', v);
    return { bundleTarballVersion: v };
  }
  if (body.bundleTarballVersion !== undefined && body.bundleTarballVersion !== '') throw invalidField('bundleTarballVersion', FieldCode.excluded, 'bundleTarballVersion is only for BUNDLE deploys');
  const v = body.dagTarballVersion;
  if (deploy.type === 'IMAGE_ONLY') {
    // The CLI sends the Deployment's current DAG version with an image-only deploy: it stays.
    if (v === undefined || v === '' || v === target.desiredDagTarballVersion) return {};
    throw invalidField('dagTarballVersion', FieldCode.excluded, 'an IMAGE_ONLY deploy brings no DAGs: dagTarballVersion may only name the DAG version the Deployment runs');
  }
  if (!toBool(deploy.is_dag_deploy_enabled)) {
    if (v !== undefined && v !== '') throw invalidField('dagTarballVersion', FieldCode.excluded, 'the Deployment had DAG deploys disabled when this deploy was created: its DAGs come with the image');
    return {};
  }
  if (!target.isDagDeployEnabled) throw badRequest('Invalid request: DAG deploys were disabled on the Deployment after this deploy was created; create a new deploy');
  if (v === undefined || v === '') throw invalidField('dagTarballVersion', FieldCode.required, `dagTarballVersion is required for ${deploy.type} deploys on a Deployment with DAG deploys enabled`);
  await checkUploaded(tx, deploy, 'dags', 'dagTarballVersion', v);
  return { dagTarballVersion: v };
}

/** A finalize that passed its checks, under the Deployment's row lock. */
interface CheckedFinalize {
  deploy: repo.DeployRow;
  target: DeployTarget;
  versions: Finalized;
}

/** Every check of a finalize, in its transaction: the Deployment and deploy, the deploy's state, the versions the body names. */
async function checkFinalize(app: AppContext, tx: Tx, p: Principal, organizationId: string, deploymentId: string, deployId: string, body: FinalizeDeployBody): Promise<CheckedFinalize> {
  const target = await lockForDeploy(app, tx, organizationId, deploymentId);
  if (!target) throw invalidField('deploymentId', FieldCode.exists, 'deploymentId does not name a Deployment of this Organization');
  const deploy = await repo.findDeploy(tx, organizationId, deploymentId, deployId);
  if (!deploy) throw invalidField('deployId', FieldCode.exists, 'deployId does not name a deploy of this Deployment');
  if (deploy.status !== 'INITIALIZED') throw badRequest(`Invalid request: the deploy is already ${deploy.status}; a deploy is finalized once`);
  checkDeployable(p, target);
  return { deploy, target, versions: await finalizedVersions(tx, deploy, target, body) };
}

/** The image an image deploy brings, as the registry names it, when the configured registry is where it was to be pushed. */
function imageToCheck(registry: string, deploy: repo.DeployRow): { name: string; tag: string } | undefined {
  if (!IMAGE_TYPES.has(deploy.type)) return undefined;
  const name = repositoryOn(registry, deploy.image_repository);
  return name === undefined ? undefined : { name, tag: deploy.image_tag };
}

/**
 * Finalizes a deploy: checks the versions it names, then, for an image deploy when
 * ASTROLABE_REGISTRY is set, asks the registry whether the image was pushed. A pushed image (or
 * no registry to ask) makes the deploy DEPLOYED and rolls it out (see completeDeploy); an image
 * the registry does not have makes it FAILED, and the Deployment keeps what it runs (failDeploy).
 * Either way the answer is the deploy (200), as the CLI expects. A registry that cannot say is a
 * 503 and the deploy stays INITIALIZED, to be finalized again. The registry is asked between two
 * transactions (a slow registry holds no lock and, on SQLite, no writer), and the second one
 * checks everything again. A deploy is finalized once; FinalizeDeploy declares no 404, so a
 * deploy that is not there is a 400 naming deployId.
 */
export async function finalizeDeploy(app: AppContext, p: Principal, baseUrl: string, organizationId: string, deploymentId: string, deployId: string, body: FinalizeDeployBody): Promise<DeployView> {
  const ctx = await viewContext(app, baseUrl);
  const registry = app.config.registry;
  let pushed = true;
  if (registry !== undefined) {
    const image = await inTransaction(app.db, async (tx) => imageToCheck(registry, (await checkFinalize(app, tx, p, organizationId, deploymentId, deployId, body)).deploy));
    if (image) pushed = await imageInRegistry(registry, image.name, image.tag);
  }
  return inTransaction(app.db, async (tx) => {
    const { deploy, target, versions } = await checkFinalize(app, tx, p, organizationId, deploymentId, deployId, body);
    if (pushed) await completeDeploy(app, tx, p, deploy, versions);
    else await failDeploy(app, tx, p, deploy, target, versions);
    return deployView(tx, await loadDeploy(tx, organizationId, deploymentId, deployId), ctx);
  });
}

/**
 * An image deploy whose image the registry does not have: the deploy is FAILED (with the versions
 * it named, for the record), the Deployment is left as it is, and its scheduler logs why.
 */
async function failDeploy(app: AppContext, tx: Tx, p: Principal, deploy: repo.DeployRow, target: DeployTarget, v: Finalized): Promise<void> {
  const now = app.clock.now();
  await repo.updateDeploy(tx, deploy.id, {
    status: 'FAILED',
    ...(v.dagTarballVersion !== undefined ? { dag_tarball_version: v.dagTarballVersion } : {}),
    ...updatedColumns(actor(p), now),
  });
  await appendLogLines(tx, [{
    organizationId: deploy.organization_id,
    deploymentId: deploy.deployment_id,
    source: 'scheduler',
    timeUs: now.getTime() * 1000,
    raw: `ERROR - Deploy ${deploy.id} FAILED: image ${deploy.image_repository}:${deploy.image_tag} is not in the registry (was it pushed?); the Deployment keeps its image, tag ${target.imageTag}`,
  }]);
}

/**
 * The success path of a finalize: the deploy becomes DEPLOYED with its versions, a BUNDLE deploy
 * sets (or with "" removes) the Deployment's bundle at its mount path, and the Deployment takes the
 * deploy's image tag (image deploys) and DAG tarball, rolling them out (DEPLOYING, then HEALTHY).
 */
async function completeDeploy(app: AppContext, tx: Tx, p: Principal, deploy: repo.DeployRow, v: Finalized): Promise<void> {
  const now = app.clock.now();
  await repo.updateDeploy(tx, deploy.id, {
    status: 'DEPLOYED',
    ...(v.dagTarballVersion !== undefined ? { dag_tarball_version: v.dagTarballVersion } : {}),
    ...(v.bundleTarballVersion !== undefined ? { bundle_tarball_version: v.bundleTarballVersion } : {}),
    ...updatedColumns(actor(p), now),
  });
  if (deploy.type === 'BUNDLE') {
    const mountPath = deploy.bundle_mount_path!;
    if (v.bundleTarballVersion) {
      await repo.putBundle(tx, { deployment_id: deploy.deployment_id, mount_path: mountPath, bundle_type: deploy.bundle_type!, deploy_id: deploy.id, version: v.bundleTarballVersion });
    } else {
      await repo.removeBundle(tx, deploy.deployment_id, mountPath);
    }
  }
  await applyDeploy(app, tx, p, deploy.organization_id, deploy.deployment_id, {
    ...(IMAGE_TYPES.has(deploy.type) ? { imageTag: deploy.image_tag } : {}),
    ...(v.dagTarballVersion !== undefined ? { dagTarballVersion: v.dagTarballVersion } : {}),
  });
  await logDeploy(tx, deploy, v, now);
}

/** Most files of one tarball named in the logs; the rest are counted. */
const LOGGED_FILES = 500;

/**
 * What the simulated components log when a deploy rolls out, in the deploy's transaction: the
 * scheduler takes the image, the DAG processor names every file the DAG or bundle tarball brought.
 */
async function logDeploy(tx: Tx, deploy: repo.DeployRow, v: Finalized, now: Date): Promise<void> {
  const at = now.getTime() * 1000;
  const line = (source: NewLogLine['source'], raw: string, offsetUs: number): NewLogLine => ({
    organizationId: deploy.organization_id, deploymentId: deploy.deployment_id, source, timeUs: at + offsetUs, raw,
  });
  const lines: NewLogLine[] = [];
  if (IMAGE_TYPES.has(deploy.type)) {
    lines.push(line('scheduler', `INFO - Deploy ${deploy.id}: restarting with image ${deploy.image_repository}:${deploy.image_tag}`, 0));
  }
  const tarballs: [repo.UploadKind, string | null | undefined][] = [['dags', v.dagTarballVersion], ['bundle', v.bundleTarballVersion]];
  for (const [kind, version] of tarballs) {
    if (!version) continue;
    const upload = await repo.findUpload(tx, deploy.id, kind, version);
    const files = upload ? (JSON.parse(upload.files) as string[]) : [];
    lines.push(line('dag-processor', `INFO - Deploy ${deploy.id}: ${kind === 'dags' ? 'DAG' : 'bundle'} tarball version ${version} received with ${files.length} file(s)`, lines.length));
    for (const f of files.slice(0, LOGGED_FILES)) lines.push(line('dag-processor', `INFO - Deploy ${deploy.id}: file ${f}`, lines.length));
    if (files.length > LOGGED_FILES) lines.push(line('dag-processor', `INFO - Deploy ${deploy.id}: and ${files.length - LOGGED_FILES} more file(s)`, lines.length));
  }
  await appendLogLines(tx, lines);
}

// ---------------------------------------------------------------- rollback

/**
 * Re-applies an earlier finalized deploy: the Deployment goes back to that deploy's image tag and
 * to the DAG tarball it ran then (when DAG deploys are enabled). The rollback is recorded as a new
 * deploy, already DEPLOYED, whose rollbackFromId names the deploy that was current before. Only a
 * DEPLOYED deploy other than the current one, of the same Airflow major version as the
 * Deployment's runtime, can be rolled back to.
 */
export async function rollbackDeploy(app: AppContext, p: Principal, baseUrl: string, organizationId: string, deploymentId: string, deployId: string, body: DeployRollbackBody): Promise<DeployView> {
  const ctx = await viewContext(app, baseUrl);
  return inTransaction(app.db, async (tx) => {
    const target = await lockTarget(app, tx, organizationId, deploymentId);
    const to = await loadDeploy(tx, organizationId, deploymentId, deployId);
    checkDeployable(p, target);
    if (to.status !== 'DEPLOYED') throw badRequest(`Invalid request: only a DEPLOYED deploy can be rolled back to; this one is ${to.status}`);
    if (to.type === 'BUNDLE') throw badRequest('Invalid request: a bundle deploy cannot be rolled back to; deploy the bundle again');
    const current = await repo.currentDeploy(tx, deploymentId);
    if (current?.id === to.id) throw badRequest('Invalid request: the Deployment already runs this deploy');
    if (isAirflow3(to.runtime_version) !== isAirflow3(target.runtimeVersion)) {
      throw badRequest(`Invalid request: the deploy ran Astro Runtime ${to.runtime_version}, of another Airflow major version than the Deployment's ${target.runtimeVersion}`);
    }
    const dagVersion = target.isDagDeployEnabled ? await repo.dagVersionAt(tx, deploymentId, to.seq) : undefined;
    const now = app.clock.now();
    const id = newId();
    await repo.insertDeploy(tx, {
      id,
      organization_id: organizationId,
      deployment_id: deploymentId,
      seq: await repo.nextSeq(tx, deploymentId),
      type: to.type,
      status: 'DEPLOYED',
      description: body.description ?? null,
      git: to.git,
      runtime_version: to.runtime_version,
      image_repository: to.image_repository,
      image_tag: to.image_tag,
      is_dag_deploy_enabled: fromBool(target.isDagDeployEnabled),
      dag_tarball_version: dagVersion ?? null,
      bundle_type: to.bundle_type,
      bundle_mount_path: to.bundle_mount_path,
      bundle_tarball_version: to.bundle_tarball_version,
      rollback_from_id: current?.id ?? null,
      upload_expires_at: storedTime(now),
      ...createdColumns(actor(p), now),
    });
    await applyDeploy(app, tx, p, organizationId, deploymentId, {
      imageTag: to.image_tag,
      ...(dagVersion !== undefined ? { dagTarballVersion: dagVersion } : {}),
    });
    return deployView(tx, await loadDeploy(tx, organizationId, deploymentId, id), ctx);
  });
}
