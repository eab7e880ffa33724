/**
 * The permission model: every permission string the server knows, grouped as the permission
 * groups of the API show them, and the permissions of every built-in role. Facts come from the
 * reference's `x-permission` entries and domain.md §4.1–§4.2; each grant below says which.
 *
 * A role's permissions apply where the role is held (authorize in ./access.ts): an organization
 * role anywhere in its organization, a workspace role in its workspace and the deployments in it,
 * a deployment role on its deployment, a DAG role on DAGs of its deployment. Custom roles
 * (DEPLOYMENT or DAG scope) carry their own permissions; ./grants.ts attaches them.
 */
import { DAG_ROLES, DEPLOYMENT_ROLES, ORGANIZATION_ROLES, WORKSPACE_ROLES } from '../core/roles.js';

// ---------------------------------------------------------------- the catalogue

export type PermissionScope = 'ORGANIZATION' | 'WORKSPACE' | 'DEPLOYMENT' | 'DAG';

export interface PermissionGroup {
  /** The permissions' common prefix, e.g. `deployment.airflow.pool`. */
  name: string;
  /** Readable name of what the group covers. */
  scope: string;
  description: string;
  /** Actions: the last part of each permission (`get`, `create`, ...). */
  actions: readonly string[];
  scopeType: PermissionScope;
  /** Whether custom roles may include these permissions (only DEPLOYMENT and DAG groups may). */
  grantable: boolean;
}

const CRUD = ['get', 'create', 'update', 'delete'] as const;
const GET = ['get'] as const;

/** Airflow UI menus and pages that only have a "view" permission (domain.md §4.2). */
const AIRFLOW_VIEWS = [
  'adminMenu', 'astronomer', 'auditLog', 'browseMenu', 'clusterActivity', 'customMenu', 'configMenu', 'dagCode',
  'dagDependencies', 'datasets', 'docs', 'importError', 'job', 'plugin', 'provider', 'slaMiss', 'taskLog',
  'taskReschedule', 'trigger', 'website',
] as const;

const label = (name: string) => name.split('.').map((p) => p.charAt(0).toUpperCase() + p.slice(1)).join(' ');

function group(scopeType: PermissionScope, name: string, actions: readonly string[], description: string, grantable: boolean): PermissionGroup {
  return { name, scope: label(name), description, actions, scopeType, grantable };
}

/**
 * Every permission group. The organization and workspace groups are the `x-permission` actions
 * of the reference's operations (domain.md §4.2 lists them); only Astro's built-in roles hold
 * them. The deployment groups are the Deployment-role reference's permission names, which custom
 * Deployment roles may include; the DAG groups are what custom DAG roles may include.
 */
export const PERMISSION_GROUPS: readonly PermissionGroup[] = [
  // Organization operations (x-permission of the reference).
  group('ORGANIZATION', 'organization', ['get'], 'The Organization\'s details.', false),
  group('ORGANIZATION', 'organization.settings', ['update'], 'The Organization\'s settings.', false),
  group('ORGANIZATION', 'organization.auditLogs', GET, 'The Organization\'s audit log.', false),
  group('ORGANIZATION', 'organization.allowedIpAddressRanges', ['get', 'create', 'delete'], 'The address ranges the Organization\'s API accepts.', false),
  group('ORGANIZATION', 'organization.clusters', CRUD, 'The Organization\'s clusters.', false),
  group('ORGANIZATION', 'organization.deploymentConfigurations', GET, 'The options Deployments can be created with.', false),
  group('ORGANIZATION', 'organization.deployments', GET, 'Listing Deployments.', false),
  group('ORGANIZATION', 'organization.workspaces', ['get', 'create'], 'Listing and creating Workspaces.', false),
  group('ORGANIZATION', 'organization.users', ['get', 'create', 'delete'], 'Users and invitations.', false),
  group('ORGANIZATION', 'organization.teams', CRUD, 'Teams and their members.', false),
  group('ORGANIZATION', 'organization.customRoles', CRUD, 'Custom roles.', false),
  // Gates: each admits its whole family of operations (domain.md §4.2 "Org-wide gates").
  group('ORGANIZATION', 'organization.envObjects', ['access'], 'Every environment-object operation.', false),
  group('ORGANIZATION', 'organization.apiTokens', ['access'], 'Every API-token operation.', false),
  group('ORGANIZATION', 'organization.userRoles', ['access'], 'Changing users\' roles.', false),
  group('ORGANIZATION', 'organization.teamRoles', ['access'], 'Changing Teams\' roles.', false),
  // Workspace operations.
  group('WORKSPACE', 'workspace', ['get', 'delete'], 'The Workspace itself.', false),
  group('WORKSPACE', 'workspace.settings', ['update'], 'The Workspace\'s settings.', false),
  group('WORKSPACE', 'workspace.deployments', ['create'], 'Creating Deployments in the Workspace.', false),
  // Deployment permissions (the Deployment-role reference); custom Deployment roles pick from these.
  group('DEPLOYMENT', 'deployment', ['get', 'update', 'delete'], 'The Deployment\'s configuration.', true),
  ...AIRFLOW_VIEWS.map((v) => group('DEPLOYMENT', `deployment.airflow.${v}`, GET, `The Airflow UI's ${v} page or menu.`, true)),
  group('DEPLOYMENT', 'deployment.airflow.connection', CRUD, 'Airflow connections.', true),
  group('DEPLOYMENT', 'deployment.airflow.dag', ['get', 'update', 'delete'], 'Airflow DAGs.', true),
  group('DEPLOYMENT', 'deployment.airflow.dagRun', CRUD, 'Airflow DAG runs.', true),
  group('DEPLOYMENT', 'deployment.airflow.pool', CRUD, 'Airflow pools.', true),
  group('DEPLOYMENT', 'deployment.airflow.taskInstance', CRUD, 'Airflow task instances.', true),
  group('DEPLOYMENT', 'deployment.airflow.variable', CRUD, 'Airflow variables.', true),
  group('DEPLOYMENT', 'deployment.airflow.xcom', ['get', 'delete'], 'Airflow XComs.', true),
  group('DEPLOYMENT', 'deployment.alerts', CRUD, 'Alerts on the Deployment.', true),
  group('DEPLOYMENT', 'deployment.apiTokens', ['get', 'create', 'update', 'delete', 'rotate'], 'The Deployment\'s API tokens.', true),
  group('DEPLOYMENT', 'deployment.deploys', ['get', 'create', 'update'], 'Code deploys.', true),
  group('DEPLOYMENT', 'deployment.envObjects', CRUD, 'Environment objects of the Deployment.', true),
  group('DEPLOYMENT', 'deployment.logs', GET, 'The Deployment\'s logs.', true),
  group('DEPLOYMENT', 'deployment.metrics', GET, 'The Deployment\'s metrics.', true),
  group('DEPLOYMENT', 'deployment.teams', ['get', 'delete'], 'Teams holding roles on the Deployment.', true),
  group('DEPLOYMENT', 'deployment.users', ['get', 'delete'], 'Users holding roles on the Deployment.', true),
  group('DEPLOYMENT', 'deployment.agents', ['get', 'update', 'delete'], 'Remote-execution agents.', true),
  group('DEPLOYMENT', 'deployment.agentTokens', ['get', 'create', 'delete'], 'Remote-execution agent tokens.', true),
  group('DEPLOYMENT', 'deployment.hibernation', ['update'], 'Hibernating and waking the Deployment.', true),
  // DAG permissions for custom DAG roles. `dag.airflow.dag.get` is the one the Terraform tests use;
  // the others mirror the Deployment scope's Airflow DAG objects, narrowed to one DAG.
  group('DAG', 'dag.airflow.dag', ['get', 'update', 'delete'], 'The DAG.', true),
  group('DAG', 'dag.airflow.dagCode', GET, 'The DAG\'s code.', true),
  group('DAG', 'dag.airflow.dagRun', CRUD, 'Runs of the DAG.', true),
  group('DAG', 'dag.airflow.taskInstance', CRUD, 'Task instances of the DAG.', true),
  group('DAG', 'dag.airflow.taskLog', GET, 'Task logs of the DAG.', true),
  group('DAG', 'dag.airflow.xcom', ['get', 'delete'], 'XComs of the DAG.', true),
];

const permissionsOf = (g: PermissionGroup) => g.actions.map((a) => `${g.name}.${a}`);

/** Every permission the server knows. */
export const ALL_PERMISSIONS: readonly string[] = PERMISSION_GROUPS.flatMap(permissionsOf);

/** The permissions a custom role of `scope` may include. */
export function grantablePermissions(scope: PermissionScope): ReadonlySet<string> {
  return GRANTABLE[scope];
}
const GRANTABLE: Record<PermissionScope, ReadonlySet<string>> = {
  ORGANIZATION: new Set(),
  WORKSPACE: new Set(),
  DEPLOYMENT: new Set(PERMISSION_GROUPS.filter((g) => g.grantable && g.scopeType === 'DEPLOYMENT').flatMap(permissionsOf)),
  DAG: new Set(PERMISSION_GROUPS.filter((g) => g.grantable && g.scopeType === 'DAG').flatMap(permissionsOf)),
};

const all = (prefix: string) => ALL_PERMISSIONS.filter((p) => p === prefix || p.startsWith(`${prefix}.`));
const reads = (prefix: string) => all(prefix).filter((p) => p.endsWith('.get'));

/**
 * Organization-level permissions a custom role implies. The gates of domain.md §4.2 follow from finer permissions: whoever may manage a Deployment's
 * API tokens, environment objects, users or teams may call that family's operations (which then
 * only reach what lies in the role's scope). This lets custom Deployment roles use those families.
 */
export function withGates(perms: Iterable<string>): Set<string> {
  const out = new Set(perms);
  const has = (prefix: string, actions?: string[]) => [...out].some((p) => p.startsWith(`${prefix}.`) && (!actions || actions.includes(p.slice(prefix.length + 1))));
  if (has('deployment.apiTokens')) out.add('organization.apiTokens.access');
  if (has('deployment.envObjects')) out.add('organization.envObjects.access');
  if (has('deployment.users', ['delete'])) out.add('organization.userRoles.access');
  if (has('deployment.teams', ['delete'])) out.add('organization.teamRoles.access');
  // Whoever may read a Deployment sees it in the list of Deployments (narrowed to it).
  if (out.has('deployment.get')) out.add('organization.deployments.get');
  return out;
}

// ---------------------------------------------------------------- built-in roles

/** The built-in role names of each kind of entity a role can be held on (DAG_TAG roles are DAG roles). */
export const BUILT_IN_ROLES: Record<'ORGANIZATION' | 'WORKSPACE' | 'DEPLOYMENT' | 'DAG', readonly string[]> = {
  ORGANIZATION: ORGANIZATION_ROLES,
  WORKSPACE: WORKSPACE_ROLES,
  DEPLOYMENT: DEPLOYMENT_ROLES,
  DAG: DAG_ROLES,
};

// DAG roles (domain.md §4.1): a viewer sees its DAGs, their runs, code and logs; an author also
// triggers, clears and pauses them.
const DAG_VIEWER = all('dag').filter((p) => p.endsWith('.get'));
const DAG_AUTHOR = all('dag');

// Workspace roles, lowest first; each adds to the one below (domain.md §4.1, hierarchy and
// capabilities of Workspace roles).
// Accessor: granted with a Deployment role and nothing else; it may see the Workspace exists.
// organization.workspaces.get/organization.get let it list Workspaces and read its Organization,
// narrowed to what it may see (operations marked anyScope).
const WS_ACCESSOR = ['workspace.get', 'organization.workspaces.get', 'organization.get'];
// Member: "view Deployments, DAGs, task logs, alerts and users" — every read of its
// Deployments but Airflow connections and variables (those come with Author).
const WS_MEMBER = [
  ...WS_ACCESSOR,
  'organization.deployments.get',
  ...reads('deployment').filter((p) => !p.startsWith('deployment.airflow.connection.') && !p.startsWith('deployment.airflow.variable.')
    && !p.startsWith('deployment.apiTokens.') && !p.startsWith('deployment.envObjects.') && !p.startsWith('deployment.agentTokens.')),
  ...DAG_VIEWER,
];
// Author: "triggering, clearing and pausing runs, pushing code, managing alerts, and viewing
// Airflow connections/variables".
const WS_AUTHOR = [
  ...WS_MEMBER,
  'deployment.airflow.connection.get', 'deployment.airflow.variable.get',
  ...all('deployment.airflow.dagRun'), ...all('deployment.airflow.taskInstance'), 'deployment.airflow.dag.update',
  'deployment.airflow.xcom.delete',
  'deployment.deploys.create', 'deployment.deploys.update',
  ...all('deployment.alerts'),
  ...DAG_AUTHOR,
];
// Operator: "managing Airflow objects and Environment Manager connections, updating Deployment
// config, creating/deleting Deployments, Deployment env vars, Workspace API tokens, and
// hibernation schedules". Creating Deployments needs the deployment options too; agents and
// agent tokens are Deployment configuration (remote execution). Workspace API tokens are the
// token gate alone (no finer permission names them); Deployment API tokens are the Owner's.
const WS_OPERATOR = [
  ...WS_AUTHOR,
  ...all('deployment.airflow'),
  ...all('deployment.envObjects'), 'organization.envObjects.access',
  'deployment.update', 'deployment.delete', 'workspace.deployments.create', 'organization.deploymentConfigurations.get',
  'deployment.hibernation.update', ...all('deployment.agents'), ...all('deployment.agentTokens'),
  'organization.apiTokens.access',
];
// Owner: "Deployment API tokens, user roles, inviting users and assigning Teams", plus the
// Workspace's own settings and deletion.
const WS_OWNER = [
  ...WS_OPERATOR,
  'workspace.settings.update', 'workspace.delete',
  ...all('deployment.apiTokens'),
  ...all('deployment.users'), ...all('deployment.teams'),
  'organization.userRoles.access', 'organization.teamRoles.access',
];

// DEPLOYMENT_ADMIN: "Workspace Operator limited to one Deployment" (domain.md §4.1, §4.3): the
// Operator's Deployment and DAG permissions and the gates they imply, nothing of the Workspace
// (not even workspace.deployments.create, which acts on the Workspace) and no Deployment options.
// Like the Operator it adds no Deployment API tokens, so it has no token gate either (the
// Workspace tokens the Operator manages lie outside one Deployment).
const DEPLOYMENT_ADMIN = [
  ...WS_OPERATOR.filter((p) => p.startsWith('deployment.') || p.startsWith('dag.')),
  'organization.envObjects.access', 'organization.get',
  // Lists its own Deployment (the listing is narrowed to it).
  'organization.deployments.get',
];

// Organization roles (domain.md §4.1). Member: "view Org details and members, lineage,
// clusters", plus custom roles and deployment options; it changes nothing. Workspaces and
// Deployments come with roles on them: a member lists Workspaces and Deployments (narrowed to
// those it holds a role on, operations marked anyScope) but reads no other one.
const ORG_MEMBER = [
  'organization.get', 'organization.users.get', 'organization.teams.get', 'organization.clusters.get',
  'organization.workspaces.get', 'organization.deployments.get',
  'organization.deploymentConfigurations.get', 'organization.customRoles.get',
];
// Observe Member and Observe Admin sit above Member; what they add is the Astro Observe
// product, which this API does not cover, so they hold what Member holds.
const ORG_OBSERVE_MEMBER = ORG_MEMBER;
const ORG_OBSERVE_ADMIN = ORG_OBSERVE_MEMBER;
// Billing Admin adds "billing settings, usage, and Org dashboards", none of which the API has
// an operation for. The audit log is not among them: it is for Organization Owners only
// (domain.md §8, DOCS24 audit-logs.md).
const ORG_BILLING_ADMIN = ORG_OBSERVE_ADMIN;
// Owner: everything, including Workspace Owner in every Workspace (domain.md §4.1) and the
// gates of tokens, environment objects, user and team roles.
const ORG_OWNER = ALL_PERMISSIONS;

const BUILT_IN_PERMISSIONS: Record<string, ReadonlySet<string>> = Object.fromEntries(Object.entries({
  ORGANIZATION_OWNER: ORG_OWNER,
  ORGANIZATION_BILLING_ADMIN: ORG_BILLING_ADMIN,
  ORGANIZATION_OBSERVE_ADMIN: ORG_OBSERVE_ADMIN,
  ORGANIZATION_OBSERVE_MEMBER: ORG_OBSERVE_MEMBER,
  ORGANIZATION_MEMBER: ORG_MEMBER,
  WORKSPACE_OWNER: WS_OWNER,
  WORKSPACE_OPERATOR: WS_OPERATOR,
  WORKSPACE_AUTHOR: WS_AUTHOR,
  WORKSPACE_MEMBER: WS_MEMBER,
  WORKSPACE_ACCESSOR: WS_ACCESSOR,
  DEPLOYMENT_ADMIN,
  DAG_VIEWER,
  DAG_AUTHOR,
}).map(([role, perms]) => {
  const known = new Set(ALL_PERMISSIONS);
  for (const p of perms) if (!known.has(p)) throw new Error(`role ${role} grants unknown permission ${p}`);
  return [role, Object.freeze(new Set(perms))];
}));

/** The permissions of a built-in role; undefined for any other name (a custom role, or nothing). */
export function builtInPermissions(role: string): ReadonlySet<string> | undefined {
  return Object.hasOwn(BUILT_IN_PERMISSIONS, role) ? BUILT_IN_PERMISSIONS[role] : undefined;
}

export function isBuiltInRole(role: string): boolean {
  return Object.hasOwn(BUILT_IN_PERMISSIONS, role);
}

/** Whether built-in `role` grants `action` (wherever the role is held). */
export function roleGrants(role: string, action: string): boolean {
  return builtInPermissions(role)?.has(action) ?? false;
}

/** Scope type and description of each built-in role, as ListRoles shows default roles. */
export const DEFAULT_ROLE_INFO: Record<string, { scopeType: PermissionScope; description: string }> = {
  ORGANIZATION_OWNER: { scopeType: 'ORGANIZATION', description: 'Manages everything in the Organization, and is Workspace Owner of every Workspace.' },
  ORGANIZATION_BILLING_ADMIN: { scopeType: 'ORGANIZATION', description: 'Organization Member who also manages billing and reads usage.' },
  ORGANIZATION_OBSERVE_ADMIN: { scopeType: 'ORGANIZATION', description: 'Organization Member who also administers Astro Observe.' },
  ORGANIZATION_OBSERVE_MEMBER: { scopeType: 'ORGANIZATION', description: 'Organization Member who also uses Astro Observe.' },
  ORGANIZATION_MEMBER: { scopeType: 'ORGANIZATION', description: 'Sees the Organization, its members, Teams and clusters, and the Workspaces and Deployments it holds roles on.' },
  WORKSPACE_OWNER: { scopeType: 'WORKSPACE', description: 'Workspace Operator who also manages the Workspace, its Deployment API tokens, its members and their roles.' },
  WORKSPACE_OPERATOR: { scopeType: 'WORKSPACE', description: 'Workspace Author who also creates, configures and deletes Deployments and manages Workspace API tokens.' },
  WORKSPACE_AUTHOR: { scopeType: 'WORKSPACE', description: 'Workspace Member who also deploys code and runs DAGs.' },
  WORKSPACE_MEMBER: { scopeType: 'WORKSPACE', description: 'Sees the Workspace\'s Deployments, DAGs, logs and alerts.' },
  WORKSPACE_ACCESSOR: { scopeType: 'WORKSPACE', description: 'Sees that the Workspace exists; held with a Deployment role.' },
  DEPLOYMENT_ADMIN: { scopeType: 'DEPLOYMENT', description: 'Workspace Operator limited to one Deployment.' },
  DAG_VIEWER: { scopeType: 'DAG', description: 'Sees the DAG, its runs and logs.' },
  DAG_AUTHOR: { scopeType: 'DAG', description: 'DAG Viewer who also triggers, clears and pauses the DAG.' },
};

/**
 * Role templates: starting points for custom Deployment roles (domain.md §4.1 names Deployment
 * Viewer, Author and Operator), built from the Workspace roles they resemble, narrowed to the
 * permissions a custom Deployment role may hold.
 */
interface RoleTemplateInfo { name: string; description: string; scopeType: PermissionScope; permissions: readonly string[] }
export const ROLE_TEMPLATES: readonly RoleTemplateInfo[] = ([
  { name: 'DEPLOYMENT_VIEWER', description: 'Sees the Deployment, its DAGs, logs and alerts.', scopeType: 'DEPLOYMENT', permissions: WS_MEMBER },
  { name: 'DEPLOYMENT_AUTHOR', description: 'Deployment Viewer who also deploys code and runs DAGs.', scopeType: 'DEPLOYMENT', permissions: WS_AUTHOR },
  { name: 'DEPLOYMENT_OPERATOR', description: 'Deployment Author who also configures the Deployment and its Airflow objects.', scopeType: 'DEPLOYMENT', permissions: WS_OPERATOR },
  { name: 'DAG_VIEWER', description: 'Sees a DAG, its runs and logs.', scopeType: 'DAG', permissions: DAG_VIEWER },
  { name: 'DAG_AUTHOR', description: 'DAG Viewer who also triggers, clears and pauses the DAG.', scopeType: 'DAG', permissions: DAG_AUTHOR },
] as RoleTemplateInfo[]).map((t) => ({ ...t, permissions: t.permissions.filter((p) => GRANTABLE[t.scopeType].has(p)) }));
