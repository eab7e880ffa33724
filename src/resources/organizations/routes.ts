import { defineOperation, ITEM_ERRORS, STANDARD_ERRORS } from '../../http/operation.js';
import { OrganizationIdParam } from '../../core/schemas.js';
import { GetOrganizationQuery, ListOrganizationsQuery, Organization, OrganizationsPaginated, UpdateOrganizationRequest } from './schema.js';
import * as service from './service.js';

const TAG = 'Organization';

export const operations = [
  defineOperation({
    operationId: 'ListOrganizations',
    method: 'GET',
    path: '/organizations',
    summary: 'List Organizations',
    description: 'Lists the Organizations the caller belongs to. An API token belongs to exactly one.',
    tag: TAG,
    permission: null,
    query: ListOrganizationsQuery,
    success: { status: 200, schema: OrganizationsPaginated },
    errors: STANDARD_ERRORS,
    rules: service.V1_LIST_RULES,
    handler: ({ app, principal, query, rules }) => service.listOrganizations(app, principal, query, rules),
  }),
  defineOperation({
    operationId: 'GetOrganization',
    method: 'GET',
    path: '/organizations/{organizationId}',
    summary: 'Get an Organization',
    description: 'Reads one Organization.',
    tag: TAG,
    permission: 'organization.get',
    // Workspace and Deployment tokens read their own Organization too.
    anyScope: true,
    params: OrganizationIdParam,
    query: GetOrganizationQuery,
    success: { status: 200, schema: Organization },
    errors: ITEM_ERRORS,
    handler: ({ app, params }) => service.getOrganization(app, params.organizationId),
  }),
  defineOperation({
    operationId: 'UpdateOrganization',
    method: 'POST',
    path: '/organizations/{organizationId}',
    summary: 'Update an Organization',
    description: 'Changes the Organization\'s settings. Optional flags left out keep their values.',
    tag: TAG,
    permission: 'organization.settings.update',
    params: OrganizationIdParam,
    body: UpdateOrganizationRequest,
    bodyDescription: 'The new settings of the Organization.',
    success: { status: 200, schema: Organization },
    errors: ITEM_ERRORS,
    handler: ({ app, principal, params, body }) => service.updateOrganization(app, principal, params.organizationId, body),
  }),
];
