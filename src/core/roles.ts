/**
 * The names of the built-in roles, by the kind of entity each is held on. Here rather than beside
 * the permission table (auth/permissions.ts) because request and response schemas enumerate them
 * too, and the schemas must not depend on auth.
 */

export const ORGANIZATION_ROLES = [
  'ORGANIZATION_OWNER',
  'ORGANIZATION_BILLING_ADMIN',
  'ORGANIZATION_OBSERVE_ADMIN',
  'ORGANIZATION_OBSERVE_MEMBER',
  'ORGANIZATION_MEMBER',
] as const;
export type OrganizationRole = (typeof ORGANIZATION_ROLES)[number];

/** Highest first (domain.md §4.1). */
export const WORKSPACE_ROLES = ['WORKSPACE_OWNER', 'WORKSPACE_OPERATOR', 'WORKSPACE_AUTHOR', 'WORKSPACE_MEMBER', 'WORKSPACE_ACCESSOR'] as const;
export const DEPLOYMENT_ROLES = ['DEPLOYMENT_ADMIN'] as const;
export const DAG_ROLES = ['DAG_VIEWER', 'DAG_AUTHOR'] as const;
