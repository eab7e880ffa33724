import { actor } from '../../auth/access.js';
import { builtInPermissions } from '../../auth/permissions.js';
import { checkCeiling } from '../roles/service.js';
import { defineOperation, ITEM_ERRORS, STANDARD_ERRORS } from '../../http/operation.js';
import { OrganizationIdParam, SubjectRoles } from '../../core/schemas.js';
import {
  CreateUserInviteRequest, Invite, InviteParams, ListUsersQuery, SelfUser, SelfUserQuery, UpdateUserRolesRequest, User,
  UserParams, UsersPaginated,
} from './schema.js';
import * as service from './service.js';

const TAG = 'User';

export const operations = [
  defineOperation({
    operationId: 'ListUsers',
    method: 'GET',
    path: '/organizations/{organizationId}/users',
    summary: 'List users in an Organization',
    description: 'Lists an Organization\'s users, invited (PENDING) ones included. A Workspace, Deployment, DAG or DAG tag filter keeps the users holding a role there themselves.',
    tag: TAG,
    permission: 'organization.users.get',
    params: OrganizationIdParam,
    query: ListUsersQuery,
    success: { status: 200, schema: UsersPaginated },
    errors: STANDARD_ERRORS,
    target: ({ app, params, query }) => service.filterTarget(app, params.organizationId, query),
    handler: ({ app, params, query }) => service.listUsers(app, params.organizationId, query),
  }),
  defineOperation({
    operationId: 'GetUser',
    method: 'GET',
    path: '/organizations/{organizationId}/users/{userId}',
    summary: 'Get user information',
    description: 'Reads one user of the Organization with its own roles.',
    tag: TAG,
    permission: 'organization.users.get',
    params: UserParams,
    success: { status: 200, schema: User },
    errors: ITEM_ERRORS,
    handler: ({ app, params }) => service.getUser(app, params.organizationId, params.userId),
  }),
  defineOperation({
    operationId: 'UpdateUserRoles',
    method: 'POST',
    path: '/organizations/{organizationId}/users/{userId}/roles',
    summary: 'Update a user\'s roles',
    description: 'Changes a user\'s roles. Each role list sent replaces that kind of role (an empty list removes them all); a list left out keeps what the user holds. Workspace and Deployment roles must come with organizationRole. Every change (a role granted, changed or taken away) needs organization.userRoles.access on its own Workspace or Deployment (the Organization for the Organization role), and only roles the caller holds in full there can be granted: a Workspace Owner sets roles inside its Workspace.',
    tag: TAG,
    permission: service.USER_ROLES_GATE,
    // The gate admits callers holding it on any Workspace or Deployment; each change is then
    // checked on its own entity (domain.md §4.2, 2026-07-01).
    anyScope: true,
    params: UserParams,
    body: UpdateUserRolesRequest,
    bodyDescription: 'The roles to set.',
    success: { status: 200, schema: SubjectRoles },
    errors: ITEM_ERRORS,
    handler: ({ app, principal, params, body }) => service.updateUserRoles(app, principal, params.organizationId, params.userId, body),
  }),
  defineOperation({
    operationId: 'GetSelfUser',
    method: 'GET',
    path: '/users/self',
    summary: 'Get current user',
    description: 'Describes the signed-in user: profile, roles (own and through Teams), open invites and feature flags. With createIfNotExist=true a person signing in for the first time becomes a user. API tokens are not users: they get a 400.',
    tag: TAG,
    permission: null,
    acceptsNonMembers: true,
    query: SelfUserQuery,
    success: { status: 200, schema: SelfUser },
    errors: [400, 401, 500],
    handler: ({ app, principal, query }) => service.getSelfUser(app, principal, query.createIfNotExist === true),
  }),
  defineOperation({
    operationId: 'CreateUserInvite',
    method: 'POST',
    path: '/organizations/{organizationId}/invites',
    summary: 'Create a user invitation',
    description: `Invites a person by email with an Organization role. A PENDING user appears at once; the person's first sign-in with that email accepts the invite. Invites stay open ${service.INVITE_DAYS} days.`,
    tag: 'Invite',
    permission: 'organization.users.create',
    params: OrganizationIdParam,
    body: CreateUserInviteRequest,
    bodyDescription: 'Who to invite, and with which role.',
    success: { status: 200, schema: Invite },
    errors: ITEM_ERRORS,
    handler: ({ app, principal, params, body }) => {
      // The invitee gets the Organization role once it accepts: the inviter must hold it in full.
      checkCeiling(principal, body.role, builtInPermissions(body.role) ?? new Set(), { entityType: 'ORGANIZATION', entityId: params.organizationId });
      return service.createInvite(app, actor(principal), params.organizationId, body);
    },
  }),
  defineOperation({
    operationId: 'DeleteUserInvite',
    method: 'DELETE',
    path: '/organizations/{organizationId}/invites/{inviteId}',
    summary: 'Delete a user invite',
    description: 'Withdraws an open invite; its PENDING user goes with it.',
    tag: 'Invite',
    permission: 'organization.users.delete',
    params: InviteParams,
    success: { status: 204 },
    errors: ITEM_ERRORS,
    handler: ({ app, params }) => app.ports.deletes.invite(app, params.organizationId, params.inviteId),
  }),
];
