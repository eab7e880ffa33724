import { byOperationId, presentAs } from '../../http/projection.js';
import { operations } from './routes.js';

/** Users and invites read and change the same on /iam/v1beta1 (the documents agree on their shapes). */
const v1 = byOperationId(operations);

export const iamOperations = (['ListUsers', 'GetUser', 'UpdateUserRoles', 'CreateUserInvite', 'DeleteUserInvite'] as const).map((id) => presentAs(v1[id]));
