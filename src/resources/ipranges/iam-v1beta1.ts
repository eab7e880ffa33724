import { byOperationId, presentAs } from '../../http/projection.js';
import { operations } from './routes.js';

/** The Terraform provider reads the ranges through /iam/v1beta1, in the v1 shape. */
const v1 = byOperationId(operations);

export const iamOperations = [presentAs(v1.ListAllowedIpAddressRanges)];
