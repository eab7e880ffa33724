import Type, { type Static } from 'typebox';
import { BasicSubjectProfile, DateTime, named, OrganizationIdParam, pageQuery, paginated } from '../../core/schemas.js';

/** Most ranges one bulk request may create or delete. */
export const BULK_MAX = 1000;

export const AllowedIpAddressRange = named('AllowedIpAddressRange', Type.Object({
  createdAt: DateTime('When the range was added.'),
  createdBy: Type.Optional(BasicSubjectProfile),
  id: Type.String({ description: 'Identifier of the range.' }),
  ipAddressRange: Type.String({ description: 'The range in CIDR notation, canonical form (host bits cleared).' }),
  organizationId: Type.String({ description: 'The Organization whose API the range opens.' }),
  updatedAt: DateTime('When the range was last changed.'),
  updatedBy: Type.Optional(BasicSubjectProfile),
}));
export type AllowedIpAddressRangeView = Static<typeof AllowedIpAddressRange>;

export const AllowedIpAddressRangesPaginated = paginated('AllowedIpAddressRangesPaginated', 'allowedIpAddressRanges', AllowedIpAddressRange);

export const AllowedIpAddressRangesList = named('AllowedIpAddressRangesList', Type.Object({
  allowedIpAddressRanges: Type.Array(AllowedIpAddressRange, { description: 'The ranges created, in the order of the request.' }),
}));

const { sorts, offset } = pageQuery(['ipAddress', 'createdAt', 'updatedAt']);

/** The reference puts no maximum on this list's limit (an organization has few ranges). */
export const ListAllowedIpAddressRangesQuery = Type.Object({
  offset,
  limit: Type.Optional(Type.Integer({ minimum: 0, default: 20, description: 'Largest number of results to return.' })),
  sorts,
});

export const AllowedIpAddressRangeParams = Type.Object({
  ...OrganizationIdParam.properties,
  allowedIpAddressRangeId: Type.String({ description: 'Identifier of the range.' }),
});

export const CreateAllowedIpAddressRangeRequest = named('CreateAllowedIpAddressRangeRequest', Type.Object({
  ipAddressRange: Type.String({ description: 'An IPv4 or IPv6 range in CIDR notation, such as `203.0.113.0/24`.' }),
}));
export type CreateAllowedIpAddressRangeBody = Static<typeof CreateAllowedIpAddressRangeRequest>;

export const BulkCreateAllowedIpAddressRangesRequest = named('BulkCreateAllowedIpAddressRangesRequest', Type.Object({
  allowedIpAddressRanges: Type.Array(Type.String(), {
    minItems: 1,
    maxItems: BULK_MAX,
    description: 'The ranges in CIDR notation; all are created or, if one is invalid or already present, none.',
  }),
}));
export type BulkCreateAllowedIpAddressRangesBody = Static<typeof BulkCreateAllowedIpAddressRangesRequest>;

export const BulkDeleteAllowedIpAddressRangesRequest = named('BulkDeleteAllowedIpAddressRangesRequest', Type.Object({
  allowedIpAddressRangeIds: Type.Array(Type.String(), {
    minItems: 1,
    maxItems: BULK_MAX,
    description: 'Identifiers of the ranges to delete; unknown and repeated ones are ignored.',
  }),
}));
export type BulkDeleteAllowedIpAddressRangesBody = Static<typeof BulkDeleteAllowedIpAddressRangesRequest>;
