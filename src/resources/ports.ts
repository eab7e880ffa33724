import type { Ports } from '../context.js';
import { auditSink } from './auditlogs/ports.js';
import { deletes } from './cascades.js';
import { deploymentIdentity } from './deployments/ports.js';
import { rangeIdentity } from './ipranges/ports.js';
import { roleIdentity } from './roles/ports.js';
import { teamIdentity } from './teams/ports.js';
import { tokenIdentity, tokenSubjects } from './tokens/ports.js';
import { userIdentity, userSubjects } from './users/ports.js';

/**
 * The ports of the application context (src/context.ts), put together from what each family
 * offers in its own ports.ts. Above the families (no family imports this), so auth/ and http/
 * reach the families only through these interfaces.
 */
export const ports: Ports = Object.freeze({
  identity: Object.freeze({ ...tokenIdentity, ...userIdentity, ...teamIdentity, ...roleIdentity, ...deploymentIdentity, ...rangeIdentity }),
  subjects: Object.freeze({ ...tokenSubjects, ...userSubjects }),
  audit: auditSink,
  deletes,
});
