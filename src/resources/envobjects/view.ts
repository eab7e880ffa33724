import { auditRefs, resolveProfiles } from '../../auth/subjects.js';
import { toBool } from '../../store/codecs.js';
import { secretBox } from '../../store/crypto.js';
import type { Queryable } from '../../store/types.js';
import { wireTime } from '../../time.js';
import { applyOverrides, setFields, TYPES, WRITE_ONLY, type Stored } from './fields.js';
import * as repo from './repo.js';
import type { EnvironmentObjectView, LinkView, ObjectType, Scope } from './schema.js';

/**
 * The read model of environment objects. Secret fields are shown only when `showSecrets` is set
 * (the service decides who may ask): otherwise a variable's secret value reads as "" (the field is
 * required) and the optional secret fields of connections and metrics exports are left out, as
 * are secret override values; setFields still names them.
 */

export function storedOf(q: Queryable, data: string, sealed: string | null): Stored {
  return { data: JSON.parse(data) as Stored['data'], secrets: sealed === null ? {} : JSON.parse(secretBox(q).open(sealed)) as Stored['secrets'] };
}

/** The typed block as shown. */
function blockView(type: ObjectType, isSecret: boolean, s: Stored, show: boolean): Record<string, unknown> {
  const info = TYPES[type];
  if (type === 'AIRFLOW_VARIABLE' || type === 'ENVIRONMENT_VARIABLE') {
    const value = isSecret ? (show ? s.secrets.value ?? '' : '') : String(s.data.value ?? '');
    return { isSecret, value };
  }
  const out: Record<string, unknown> = {};
  for (const f of info.fields) {
    if (s.data[f] !== undefined && !WRITE_ONLY.includes(f)) out[f] = s.data[f];
    if (show && s.secrets[f] !== undefined) out[f] = s.secrets[f];
  }
  return out;
}

/** A link's overrides as shown: only fields it sets; a secret variable's override value only with show. */
function overridesView(type: ObjectType, isSecret: boolean, s: Stored, show: boolean): Record<string, unknown> | undefined {
  if (type === 'AIRFLOW_VARIABLE' || type === 'ENVIRONMENT_VARIABLE') {
    const value = isSecret ? (show ? s.secrets.value : undefined) : s.data.value;
    return value === undefined ? undefined : { value };
  }
  const out = blockView(type, isSecret, s, show);
  return Object.keys(out).length > 0 ? out : undefined;
}

function linkView(q: Queryable, type: ObjectType, isSecret: boolean, l: repo.LinkRow, show: boolean): LinkView {
  const s = storedOf(q, l.overrides, l.secret_overrides);
  const overrides = overridesView(type, isSecret, s, show);
  return {
    ...(overrides ? { [`${TYPES[type].block}Overrides`]: overrides } : {}),
    scope: 'DEPLOYMENT',
    scopeEntityId: l.deployment_id,
    setFields: setFields(type, s),
  } as LinkView;
}

export interface ViewOptions {
  showSecrets: boolean;
  /** Listing a Deployment with resolveLinked: Workspace objects are shown as that Deployment sees them. */
  resolvedFor?: string;
}

export async function objectViews(q: Queryable, rows: repo.ObjectRow[], opts: ViewOptions): Promise<EnvironmentObjectView[]> {
  if (rows.length === 0) return [];
  const profiles = await resolveProfiles(q, auditRefs(rows));
  const own = rows.filter((r) => r.scope === 'WORKSPACE' && opts.resolvedFor === undefined).map((r) => r.id);
  const links = await repo.linksOf(q, own);
  const exclusions = await repo.exclusionsOf(q, own);
  const resolved = opts.resolvedFor === undefined ? new Map<string, repo.LinkRow>()
    : await repo.linksTo(q, rows.filter((r) => r.scope === 'WORKSPACE').map((r) => r.id), opts.resolvedFor);
  return rows.map((r) => {
    const type = r.object_type as ObjectType;
    const isSecret = toBool(r.is_secret);
    let s = storedOf(q, r.data, r.secret_data);
    const inherited = opts.resolvedFor !== undefined && r.scope === 'WORKSPACE';
    if (inherited) {
      const link = resolved.get(r.id);
      if (link) s = applyOverrides(type, s, storedOf(q, link.overrides, link.secret_overrides));
    }
    const view: Record<string, unknown> = {
      [TYPES[type].block]: blockView(type, isSecret, s, opts.showSecrets),
      createdAt: wireTime(r.created_at),
      createdBy: profiles.get(r.created_by_id),
      ...(r.description !== null ? { description: r.description } : {}),
      id: r.id,
      objectKey: r.object_key,
      objectType: type,
      scope: r.scope as Scope,
      scopeEntityId: r.scope_entity_id,
      setFields: setFields(type, s),
      updatedAt: wireTime(r.updated_at),
      updatedBy: profiles.get(r.updated_by_id),
    };
    if (inherited) {
      Object.assign(view, { scope: 'DEPLOYMENT', scopeEntityId: opts.resolvedFor, sourceScope: 'WORKSPACE', sourceScopeEntityId: r.scope_entity_id });
    } else if (r.scope === 'WORKSPACE') {
      view.autoLinkDeployments = toBool(r.auto_link_deployments);
      view.links = (links.get(r.id) ?? []).map((l) => linkView(q, type, isSecret, l, opts.showSecrets));
      view.excludeLinks = (exclusions.get(r.id) ?? []).map((x) => ({ scope: 'DEPLOYMENT', scopeEntityId: x.deployment_id }));
    }
    return view as EnvironmentObjectView;
  });
}

export async function objectView(q: Queryable, row: repo.ObjectRow, opts: ViewOptions): Promise<EnvironmentObjectView> {
  return (await objectViews(q, [row], opts))[0]!;
}
