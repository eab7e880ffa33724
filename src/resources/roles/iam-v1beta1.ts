import { byOperationId, presentAs } from '../../http/projection.js';
import { operations } from './routes.js';

/** Custom roles and role templates on /iam/v1beta1: the same shapes as /v1 (no permission groups there). */
const v1 = byOperationId(operations);

export const iamOperations = ['ListRoles', 'CreateCustomRole', 'GetCustomRole', 'UpdateCustomRole', 'DeleteCustomRole', 'ListRoleTemplates'].map((id) => presentAs(v1[id]!));
