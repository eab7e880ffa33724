import type { AppContext } from '../../context.js';
import { actor, type Target } from '../../auth/access.js';
import type { Principal } from '../../auth/principal.js';
import { badRequest, conflict, FieldCode, forbidden, found, invalidField } from '../../core/errors.js';
import { requireText } from '../../core/rules.js';
import { createdColumns, updatedColumns } from '../../store/audit.js';
import { fromBool, toBool } from '../../store/codecs.js';
import { secretBox } from '../../store/crypto.js';
import { inTransaction } from '../../store/transactions.js';
import type { Queryable } from '../../store/types.js';
import { newId } from '../../store/ids.js';
import { envelope } from '../../store/pagination.js';
import { findDeployment } from '../deployments/repo.js';
import { findWorkspace } from '../workspaces/repo.js';
import { BLOCKS, checkBlock, mergeOverrides, split, TYPES, WRITE_ONLY, type Data, type Stored } from './fields.js';
import * as repo from './repo.js';
import type { CreateBody, EnvironmentObjectView, ExcludeBody, ListQuery, ObjectType, Scope, UpdateBody } from './schema.js';
import { objectView, objectViews, storedOf } from './view.js';

/**
 * Environment objects (Environment Manager): Airflow variables, connections, metrics exports and
 * environment variables of a Workspace or a Deployment. Workspace objects reach Deployments of
 * the Workspace through explicit links (with per-Deployment overrides) or automatic linking
 * (minus excluded Deployments). Rules:
 * - one key per scope and type (409 for a second);
 * - an update replaces the links, the excluded Deployments and autoLinkDeployments (left out:
 *   none, none, false), keeps override fields a link entry leaves out, and needs the typed block;
 *   a secret sent empty or left out keeps the stored one; isSecret and a connection's type never
 *   change;
 * - secrets are sealed at rest (store/crypto.ts) and shown only to Organization Owners asking
 *   with showSecrets on the list.
 */

/** Longest key: Airflow's own limit for connection ids and variable keys (and it keeps the unique index small). */
const MAX_KEY = 250;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Most objects one page returns, whatever the limit asked (the reference sets no maximum). */
const PAGE_MAX = 1000;

// ---------------------------------------------------------------- surfaces

/**
 * What an older surface (platform v1beta1) knows of environment objects, for the operations it
 * presents over these rules (Operation.rules; applied inside each operation's transaction).
 */
export interface SurfaceRules {
  /**
   * The object types the surface has. Objects of other types do not exist there: lists leave
   * them out (in SQL, so pages and totalCount stay right) and reads, changes and deletes by id
   * answer 404.
   */
  types?: readonly ObjectType[];
  /**
   * Stored fields of the typed block an update keeps when the body leaves them out: the fields
   * (or values) the surface can neither show nor send, which its clients cannot write back.
   */
  carried?(type: ObjectType, stored: Data, sent: Record<string, unknown>): Record<string, unknown>;
}

/** /v1 has every type and carries nothing over. */
export const V1_RULES: SurfaceRules = {};

/** The row, if the surface has its type. */
function visible(row: repo.ObjectRow | undefined, rules: SurfaceRules): repo.ObjectRow | undefined {
  return row && (rules.types === undefined || rules.types.includes(row.object_type as ObjectType)) ? row : undefined;
}

// ---------------------------------------------------------------- targets

async function scopeTarget(db: Queryable, organizationId: string, scope: Scope, id: string): Promise<Target> {
  if (scope === 'WORKSPACE') return (await findWorkspace(db, organizationId, id)) ? { workspaceId: id } : {};
  const d = await findDeployment(db, organizationId, id);
  return d ? { workspaceId: d.workspace_id, deploymentId: d.id } : {};
}

/** An existing object's Workspace, and Deployment at DEPLOYMENT scope; nothing for an unknown id. */
export async function objectTarget(app: AppContext, organizationId: string, id: string): Promise<Target> {
  const row = await repo.findObject(app.db, organizationId, id);
  return row ? { workspaceId: row.workspace_id, ...(row.deployment_id ? { deploymentId: row.deployment_id } : {}) } : {};
}

/** The scope entity a create names. */
export function createTarget(app: AppContext, organizationId: string, body: CreateBody): Promise<Target> {
  return scopeTarget(app.db, organizationId, body.scope, body.scopeEntityId);
}

/** The Workspace or Deployment a list is filtered on; none: the whole Organization. */
export async function listTarget(app: AppContext, organizationId: string, q: ListQuery): Promise<Target> {
  if (q.deploymentId !== undefined) return scopeTarget(app.db, organizationId, 'DEPLOYMENT', q.deploymentId);
  if (q.workspaceId !== undefined) return scopeTarget(app.db, organizationId, 'WORKSPACE', q.workspaceId);
  return {};
}

/**
 * Whether the caller may see secret values: "environment secrets fetching" is an Organization
 * Owner's capability (domain.md §4.1), held through the Organization role itself.
 */
function maySeeSecrets(p: Principal): boolean {
  return p.roles.some((r) => r.entityType === 'ORGANIZATION' && r.entityId === p.organizationId && r.role === 'ORGANIZATION_OWNER');
}

// ---------------------------------------------------------------- checks

interface Scoped {
  workspaceId: string;
  deploymentId: string | null;
}

async function resolveScope(tx: Queryable, organizationId: string, scope: Scope, id: string): Promise<Scoped> {
  requireText('scopeEntityId', id);
  if (scope === 'WORKSPACE') {
    const w = await findWorkspace(tx, organizationId, id);
    if (!w) throw invalidField('scopeEntityId', FieldCode.exists, 'scopeEntityId does not name a Workspace of this Organization');
    return { workspaceId: w.id, deploymentId: null };
  }
  const d = await findDeployment(tx, organizationId, id);
  if (!d) throw invalidField('scopeEntityId', FieldCode.exists, 'scopeEntityId does not name a Deployment of this Organization');
  return { workspaceId: d.workspace_id, deploymentId: d.id };
}

function checkKey(type: ObjectType, key: string): void {
  requireText('objectKey', key);
  if ([...key].length > MAX_KEY) throw invalidField('objectKey', FieldCode.max, `objectKey must be at most ${MAX_KEY} characters long`);
  if (type === 'ENVIRONMENT_VARIABLE' && !ENV_NAME.test(key)) {
    throw invalidField('objectKey', FieldCode.pattern, 'objectKey of an ENVIRONMENT_VARIABLE must be letters, digits and underscores, not starting with a digit');
  }
}

/** The block of the object's type, required; blocks of other types are refused. */
function typedBlock(type: ObjectType, body: Record<string, unknown>): Record<string, unknown> {
  const want = TYPES[type].block;
  for (const b of BLOCKS) {
    if (b !== want && body[b] !== undefined) throw invalidField(b, FieldCode.excluded, `${b} does not go with objectType ${type}; send ${want}`);
  }
  const block = body[want] as Record<string, unknown> | undefined;
  if (block === undefined) throw invalidField(want, FieldCode.required, `${want} is required for objectType ${type}`);
  checkBlock(want, block);
  return block;
}

interface LinkRequest {
  scopeEntityId: string;
  overrides?: Record<string, unknown> & { unsetFields?: string[] };
}

/**
 * Checks the links and excluded Deployments of a Workspace object: Deployments of its Workspace,
 * each once, none both linked and excluded, overrides only of the object's type.
 */
async function checkLinks(tx: Queryable, organizationId: string, type: ObjectType, scoped: Scoped, links: LinkRequest[], excluded: { scopeEntityId: string }[]): Promise<void> {
  const inWorkspace = async (field: string, id: string) => {
    const d = id.trim() === '' ? undefined : await findDeployment(tx, organizationId, id);
    if (!d || d.workspace_id !== scoped.workspaceId) throw invalidField(field, FieldCode.exists, `${field} does not name a Deployment of the object's Workspace`);
  };
  const linked = new Set<string>();
  for (const [i, l] of links.entries()) {
    const at = `links[${i}].scopeEntityId`;
    if (linked.has(l.scopeEntityId)) throw invalidField(at, FieldCode.unique, `${at} links Deployment ${l.scopeEntityId} a second time`);
    linked.add(l.scopeEntityId);
    await inWorkspace(at, l.scopeEntityId);
    const o = l.overrides ?? {};
    for (const b of BLOCKS) {
      if (b !== TYPES[type].block && o[b] !== undefined) throw invalidField(`links[${i}].overrides.${b}`, FieldCode.excluded, `links[${i}].overrides.${b} does not go with objectType ${type}`);
    }
    const own = o[TYPES[type].block] as Record<string, unknown> | undefined;
    if (own) checkBlock(`links[${i}].overrides.${TYPES[type].block}`, own);
  }
  const seen = new Set<string>();
  for (const [i, x] of excluded.entries()) {
    const at = `excludeLinks[${i}].scopeEntityId`;
    if (seen.has(x.scopeEntityId)) throw invalidField(at, FieldCode.unique, `${at} excludes Deployment ${x.scopeEntityId} a second time`);
    seen.add(x.scopeEntityId);
    if (linked.has(x.scopeEntityId)) throw invalidField(at, FieldCode.excluded, `${at}: Deployment ${x.scopeEntityId} is also in links; a Deployment is either linked or excluded`);
    await inWorkspace(at, x.scopeEntityId);
  }
}

/** Links, exclusions and automatic linking belong to Workspace objects only. */
function refuseLinking(body: { autoLinkDeployments?: boolean; links?: unknown[]; excludeLinks?: unknown[] }): void {
  if (body.autoLinkDeployments === true) throw invalidField('autoLinkDeployments', FieldCode.excluded, 'autoLinkDeployments applies to WORKSPACE objects only');
  if ((body.links ?? []).length > 0) throw invalidField('links', FieldCode.excluded, 'links apply to WORKSPACE objects only');
  if ((body.excludeLinks ?? []).length > 0) throw invalidField('excludeLinks', FieldCode.excluded, 'excludeLinks apply to WORKSPACE objects only');
}

function sealed(q: Queryable, secrets: Stored['secrets']): string | null {
  return Object.keys(secrets).length === 0 ? null : secretBox(q).seal(JSON.stringify(secrets));
}

function writeOnly(block: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of WRITE_ONLY) if (block[f] !== undefined) out[f] = block[f];
  return out;
}

async function writeLinks(tx: Queryable, type: ObjectType, isSecret: boolean, objectId: string, links: LinkRequest[], stored: Map<string, Stored>): Promise<void> {
  await repo.replaceLinks(tx, objectId, links.map((l, i) => {
    const { unsetFields, ...sent } = l.overrides ?? {};
    const before = stored.get(l.scopeEntityId) ?? { data: {}, secrets: {} };
    const s = mergeOverrides(type, isSecret, before, sent[TYPES[type].block] as Record<string, unknown> | undefined, unsetFields ?? [], `links[${i}].overrides`);
    return { deployment_id: l.scopeEntityId, overrides: JSON.stringify(s.data), secret_overrides: sealed(tx, s.secrets) };
  }));
}

// ---------------------------------------------------------------- create

export function createObject(app: AppContext, p: Principal, organizationId: string, body: CreateBody): Promise<{ id: string }> {
  const type = body.objectType;
  checkKey(type, body.objectKey);
  const block = typedBlock(type, body as Record<string, unknown>);
  return inTransaction(app.db, async (tx) => {
    const scoped = await resolveScope(tx, organizationId, body.scope, body.scopeEntityId);
    const links = (body.links ?? []) as LinkRequest[];
    const excluded = body.excludeLinks ?? [];
    if (body.scope === 'DEPLOYMENT') refuseLinking(body);
    else await checkLinks(tx, organizationId, type, scoped, links, excluded);
    if (await repo.findByKey(tx, body.scopeEntityId, type, body.objectKey)) {
      throw conflict(`An environment object of type ${type} with key ${body.objectKey} already exists in this ${body.scope.toLowerCase()}`);
    }
    const isSecret = (type === 'AIRFLOW_VARIABLE' || type === 'ENVIRONMENT_VARIABLE') && block.isSecret === true;
    const values = type === 'AIRFLOW_VARIABLE' || type === 'ENVIRONMENT_VARIABLE' ? { value: block.value ?? '' } : block;
    if (type === 'CONNECTION') requireText('connection.type', block.type as string);
    if (type === 'METRICS_EXPORT') requireText('metricsExport.endpoint', block.endpoint as string);
    const s = split(type, isSecret, values);
    const id = newId();
    await repo.insertObject(tx, {
      id,
      organization_id: organizationId,
      workspace_id: scoped.workspaceId,
      deployment_id: scoped.deploymentId,
      scope: body.scope,
      scope_entity_id: body.scopeEntityId,
      object_type: type,
      object_key: body.objectKey,
      description: body.description ?? null,
      auto_link_deployments: fromBool(body.scope === 'WORKSPACE' && body.autoLinkDeployments === true),
      is_secret: fromBool(isSecret),
      data: JSON.stringify({ ...s.data, ...writeOnly(block) }),
      secret_data: sealed(tx, s.secrets),
      ...createdColumns(actor(p), app.clock.now()),
    });
    if (body.scope === 'WORKSPACE') {
      await writeLinks(tx, type, isSecret, id, links, new Map());
      await repo.replaceExclusions(tx, id, excluded.map((x) => x.scopeEntityId));
    }
    return { id };
  });
}

// ---------------------------------------------------------------- read

export async function listObjects(app: AppContext, p: Principal, organizationId: string, q: ListQuery, rules: SurfaceRules = {}) {
  if (q.workspaceId !== undefined && q.deploymentId !== undefined) {
    throw invalidField('deploymentId', FieldCode.excludedWith, 'workspaceId and deploymentId cannot be combined: list a Workspace\'s objects or a Deployment\'s');
  }
  const showSecrets = q.showSecrets === true;
  if (showSecrets && !maySeeSecrets(p)) {
    throw forbidden(`showSecrets on organization ${organizationId} is not allowed for this caller: only Organization Owners may fetch environment secrets`);
  }
  let resolveFrom: string | undefined;
  if (q.deploymentId !== undefined && q.resolveLinked === true) resolveFrom = (await findDeployment(app.db, organizationId, q.deploymentId))?.workspace_id;
  const limit = Math.min(q.limit ?? 20, PAGE_MAX);
  const page = await repo.listObjects(app.db, organizationId, {
    workspaceId: q.workspaceId, deploymentId: q.deploymentId, resolveFrom, objectType: q.objectType, objectKey: q.objectKey, objectTypes: rules.types,
  }, { ...q, limit });
  const views = await objectViews(app.db, page.items, { showSecrets, resolvedFor: resolveFrom === undefined ? undefined : q.deploymentId });
  return envelope('environmentObjects', page, views);
}

export async function getObject(app: AppContext, organizationId: string, id: string, rules: SurfaceRules = {}): Promise<EnvironmentObjectView> {
  return objectView(app.db, found(visible(await repo.findObject(app.db, organizationId, id), rules), 'Environment object'), { showSecrets: false });
}

// ---------------------------------------------------------------- update

export function updateObject(app: AppContext, p: Principal, organizationId: string, id: string, body: UpdateBody, rules: SurfaceRules = {}): Promise<EnvironmentObjectView> {
  return inTransaction(app.db, async (tx) => {
    await repo.lockObject(tx, organizationId, id);
    const row = found(visible(await repo.findObject(tx, organizationId, id), rules), 'Environment object');
    const type = row.object_type as ObjectType;
    const isSecret = toBool(row.is_secret);
    const block = typedBlock(type, body as Record<string, unknown>);
    const current = storedOf(tx, row.data, row.secret_data);
    const scope = row.scope as Scope;
    const links = (body.links ?? []) as LinkRequest[];
    const excluded = body.excludeLinks ?? [];
    if (scope === 'DEPLOYMENT') refuseLinking(body);
    else await checkLinks(tx, organizationId, type, { workspaceId: row.workspace_id, deploymentId: null }, links, excluded);

    // Fields sent replace the stored ones, fields left out are cleared; secrets sent empty or
    // left out are kept, and so are a metrics export's required endpoint and exporter type.
    let values: Record<string, unknown> = block;
    if (type === 'AIRFLOW_VARIABLE' || type === 'ENVIRONMENT_VARIABLE') values = { value: block.value ?? '' };
    if (type === 'CONNECTION') {
      requireText('connection.type', block.type as string);
      if (block.type !== current.data.type) throw invalidField('connection.type', FieldCode.immutable, `connection.type cannot change (it is ${String(current.data.type)}); create a new object instead`);
    }
    if (type === 'METRICS_EXPORT') {
      values = { endpoint: current.data.endpoint, exporterType: current.data.exporterType, ...block };
      requireText('metricsExport.endpoint', values.endpoint as string);
    }
    if (rules.carried) values = { ...rules.carried(type, current.data, block), ...values };
    const next = split(type, isSecret, values);
    const secrets = { ...current.secrets, ...next.secrets };

    await repo.updateObject(tx, id, {
      ...(body.description !== undefined ? { description: body.description } : {}),
      auto_link_deployments: fromBool(scope === 'WORKSPACE' && body.autoLinkDeployments === true),
      data: JSON.stringify({ ...next.data, ...writeOnly(block) }),
      secret_data: sealed(tx, secrets),
      ...updatedColumns(actor(p), app.clock.now()),
    });
    if (scope === 'WORKSPACE') {
      const before = new Map([...(await repo.linksOf(tx, [id])).get(id) ?? []].map((l) => [l.deployment_id, storedOf(tx, l.overrides, l.secret_overrides)]));
      await writeLinks(tx, type, isSecret, id, links, before);
      await repo.replaceExclusions(tx, id, excluded.map((x) => x.scopeEntityId));
    }
    return objectView(tx, found(await repo.findObject(tx, organizationId, id), 'Environment object'), { showSecrets: false });
  });
}

// ---------------------------------------------------------------- delete, exclude

export function deleteObject(app: AppContext, organizationId: string, id: string, rules: SurfaceRules = {}): Promise<void> {
  return inTransaction(app.db, async (tx) => {
    await repo.lockObject(tx, organizationId, id);
    found(visible(await repo.findObject(tx, organizationId, id), rules), 'Environment object');
    await repo.deleteObject(tx, id);
  });
}

/**
 * Leaves one Deployment of the Workspace out of the object's automatic linking. Excluding it
 * again changes nothing; a Deployment with an explicit link must be unlinked first (409).
 */
export function excludeLinking(app: AppContext, p: Principal, organizationId: string, id: string, body: ExcludeBody, rules: SurfaceRules = {}): Promise<void> {
  return inTransaction(app.db, async (tx) => {
    await repo.lockObject(tx, organizationId, id);
    const row = found(visible(await repo.findObject(tx, organizationId, id), rules), 'Environment object');
    if (row.scope !== 'WORKSPACE') throw badRequest('Invalid request: only WORKSPACE objects link to Deployments; this one belongs to a Deployment');
    const d = body.scopeEntityId.trim() === '' ? undefined : await findDeployment(tx, organizationId, body.scopeEntityId);
    if (!d || d.workspace_id !== row.workspace_id) throw invalidField('scopeEntityId', FieldCode.exists, 'scopeEntityId does not name a Deployment of the object\'s Workspace');
    const links = (await repo.linksOf(tx, [id])).get(id) ?? [];
    if (links.some((l) => l.deployment_id === d.id)) {
      throw conflict(`Deployment ${d.id} is explicitly linked to this object; remove the link before excluding it`);
    }
    const excluded = (await repo.exclusionsOf(tx, [id])).get(id) ?? [];
    if (excluded.some((x) => x.deployment_id === d.id)) return;
    await repo.addExclusion(tx, id, d.id);
    await repo.updateObject(tx, id, updatedColumns(actor(p), app.clock.now()));
  });
}
