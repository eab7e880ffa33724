import Type from 'typebox';
import { FieldCode, invalidField } from '../../core/errors.js';
import { byOperationId, presentAs } from '../../http/projection.js';
import { named } from '../../core/schemas.js';
import { operations } from './routes.js';
import { BULK_MAX } from './schema.js';

/**
 * The labs bulk calls the Terraform provider makes for `astro_allowed_ip_address_ranges`: the v1
 * bulk create and bulk delete under other routes (a POST and a DELETE with a JSON body on the list
 * path itself). The labs document records no limits on the lists; the rules are the v1 ones, so
 * the limits the v1 schemas state are checked here before the v1 handler runs.
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

const v1 = byOperationId(operations);
const BASE = '/organizations/{organizationId}/allowed-ip-address-ranges';

export const labsOperations = [
  presentAs(v1.BulkCreateAllowedIpAddressRanges, {
    operationId: 'LabsCreateAllowedIpAddressRanges',
    path: BASE,
    description: 'Adds ranges at once, atomically: an invalid range (400) or one given twice or already allowed (409) creates none.',
    body: BulkCreateRequest,
    bodyIn: (b) => {
      checkCount('allowedIpAddressRanges', b.allowedIpAddressRanges);
      return b;
    },
  }),
  presentAs(v1.BulkDeleteAllowedIpAddressRanges, {
    operationId: 'LabsDeleteAllowedIpAddressRanges',
    method: 'DELETE',
    path: BASE,
    description: 'Removes ranges by id at once, atomically; unknown and repeated ids are ignored. The ids travel in a JSON body.',
    body: BulkDeleteRequest,
    bodyIn: (b) => {
      checkCount('allowedIpAddressRangeIds', b.allowedIpAddressRangeIds);
      return b;
    },
  }),
];
