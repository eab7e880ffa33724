/**
 * Which actions (the `x-permission` names of the reference) each built-in role grants.
 * Organization roles apply to everything in their organization; workspace and deployment
 * roles apply to their own workspace or deployment only.
 */
export const ORGANIZATION_ROLES = [
  'ORGANIZATION_OWNER',
  'ORGANIZATION_BILLING_ADMIN',
  'ORGANIZATION_OBSERVE_ADMIN',
  'ORGANIZATION_OBSERVE_MEMBER',
  'ORGANIZATION_MEMBER',
] as const;
export type OrganizationRole = (typeof ORGANIZATION_ROLES)[number];

export const WORKSPACE_ROLES = ['WORKSPACE_OWNER', 'WORKSPACE_OPERATOR', 'WORKSPACE_AUTHOR', 'WORKSPACE_MEMBER', 'WORKSPACE_ACCESSOR'] as const;

// Organization roles see every workspace and Deployment they can list, so they may also read each one.
const ORG_MEMBER = [
  'organization.get',
  'organization.clusters.get',
  'organization.workspaces.get',
  'workspace.get',
  'organization.deployments.get',
  'deployment.get',
  'organization.deploymentConfigurations.get',
  'organization.users.get',
  'organization.teams.get',
  'organization.customRoles.get',
];
const ORG_BILLING = [...ORG_MEMBER, 'organization.auditLogs.get'];

const WS_ACCESSOR = ['workspace.get'];
// Members view alerts; Authors manage them (domain facts); Deployment Admins inherit both from Operator.
const WS_MEMBER = [...WS_ACCESSOR, 'deployment.get', 'deployment.logs.get', 'deployment.deploys.get', 'deployment.alerts.get'];
const WS_AUTHOR = [...WS_MEMBER, 'deployment.deploys.create', 'deployment.deploys.update', 'deployment.alerts.create', 'deployment.alerts.update', 'deployment.alerts.delete'];
const WS_OPERATOR = [...WS_AUTHOR, 'workspace.deployments.create', 'deployment.update', 'deployment.delete', 'deployment.agentTokens.get', 'deployment.agentTokens.create', 'deployment.agentTokens.delete', 'organization.apiTokens.access'];
const WS_OWNER = [...WS_OPERATOR, 'workspace.settings.update', 'workspace.delete'];

const GRANTS: Record<string, ReadonlySet<string> | '*'> = {
  ORGANIZATION_OWNER: '*',
  ORGANIZATION_BILLING_ADMIN: new Set(ORG_BILLING),
  ORGANIZATION_OBSERVE_ADMIN: new Set(ORG_MEMBER),
  ORGANIZATION_OBSERVE_MEMBER: new Set(ORG_MEMBER),
  ORGANIZATION_MEMBER: new Set(ORG_MEMBER),
  WORKSPACE_OWNER: new Set(WS_OWNER),
  WORKSPACE_OPERATOR: new Set(WS_OPERATOR),
  WORKSPACE_AUTHOR: new Set(WS_AUTHOR),
  WORKSPACE_MEMBER: new Set(WS_MEMBER),
  WORKSPACE_ACCESSOR: new Set(WS_ACCESSOR),
  DEPLOYMENT_ADMIN: new Set(WS_OPERATOR.filter((a) => a.startsWith('deployment.'))),
};

export function roleGrants(role: string, action: string): boolean {
  const g = GRANTS[role];
  if (!g) return false;
  return g === '*' || g.has(action);
}
