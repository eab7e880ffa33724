import Type from 'typebox';
import { defineOperation } from '../../http/operation.js';
import { FieldCode, invalidField } from '../../core/errors.js';
import { named, OrganizationIdParam } from '../../core/schemas.js';
import { AllowedIpAddressRangesList, BULK_MAX } from './schema.js';
import * as service from './service.js';

/**
 * The labs bulk calls the Terraform provider makes for `astro_allowed_ip_address_ranges`: the v1
 * bulk create and bulk delete under other routes (a POST and a DELETE with a JSON body on the list
 * path itself). The labs document records no limits on the lists; the rules are the v1 ones.
 */

const BulkCreateRequest = named('BulkCreateAllowedIpAddressRangesRequest', Type.Object({
  allowedIpAddressRanges: Type.Array(Type.String(), { description: `The ranges to allow, 1 to ${BULK_MAX}.` }),
}));

const BulkDeleteRequest = named('BulkDeleteAllowedIpAddressRangesRequest', Type.Object({
  allowedIpAddressRangeIds: Type.Array(Type.String(), { description: `Identifiers of the ranges to remove, 1 to ${BULK_MAX}.` }),
}));

function checkCount(field: string, list: unknown[]): void {
  if (list.length < 1) throw invalidField(field, FieldCode.min, `${field} must hold at least one entry`);
  if (list.length > BULK_MAX) throw invalidField(field, FieldCode.max, `${field} may hold at most ${BULK_MAX} entries`);
}

const TAG = 'AllowedIpAddressRange';
const BASE = '/organizations/{organizationId}/allowed-ip-address-ranges';

export const labsOperations = [
  defineOperation({
    operationId: 'LabsCreateAllowedIpAddressRanges',
    method: 'POST',
    path: BASE,
    summary: 'Bulk create allowed IP address ranges',
    description: 'Adds ranges at once, atomically: an invalid range (400) or one given twice or already allowed (409) creates none.',
    tag: TAG,
    permission: 'organization.allowedIpAddressRanges.create',
    params: OrganizationIdParam,
    body: BulkCreateRequest,
    bodyDescription: 'The ranges to allow.',
    success: { status: 200, schema: AllowedIpAddressRangesList },
    errors: [400, 401, 403, 404, 409, 500],
    handler: ({ app, principal, params, body, clientAddress }) => {
      checkCount('allowedIpAddressRanges', body.allowedIpAddressRanges);
      return service.bulkCreateRanges(app, principal, params.organizationId, body.allowedIpAddressRanges, clientAddress);
    },
  }),
  defineOperation({
    operationId: 'LabsDeleteAllowedIpAddressRanges',
    method: 'DELETE',
    path: BASE,
    summary: 'Bulk delete allowed IP address ranges',
    description: 'Removes ranges by id at once, atomically; unknown and repeated ids are ignored. The ids travel in a JSON body.',
    tag: TAG,
    permission: 'organization.allowedIpAddressRanges.delete',
    params: OrganizationIdParam,
    body: BulkDeleteRequest,
    bodyDescription: 'The ranges to remove.',
    success: { status: 204 },
    errors: [400, 401, 403, 500],
    handler: ({ app, params, body }) => {
      checkCount('allowedIpAddressRangeIds', body.allowedIpAddressRangeIds);
      return service.bulkDeleteRanges(app, params.organizationId, body.allowedIpAddressRangeIds);
    },
  }),
];
