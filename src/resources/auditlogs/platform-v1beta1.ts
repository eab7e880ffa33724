import { byOperationId, presentAs } from '../../http/projection.js';
import { operations } from './routes.js';

/** The audit log reads the same on /platform/v1beta1; that document declares no error answers for it. */
const v1 = byOperationId(operations);

export const platformOperations = [presentAs(v1.GetOrganizationAuditLogs, { errors: [] })];
