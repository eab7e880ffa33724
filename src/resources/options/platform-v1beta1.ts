import { byOperationId, presentAs } from '../../http/projection.js';
import { operations } from './routes.js';

/** Cluster and Deployment options read the same on /platform/v1beta1 as on /v1. */
const v1 = byOperationId(operations);

export const platformOperations = [presentAs(v1.GetClusterOptions), presentAs(v1.GetDeploymentOptions)];
