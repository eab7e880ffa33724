import { parseArgs } from 'node:util';
import { openContext, UsageError, type CommandTable } from '../../command.js';
import type { Config } from '../../config.js';
import { ApiError } from '../../core/errors.js';
import { ORGANIZATION_ROLES } from '../../core/roles.js';
import { findOrganization } from '../organizations/repo.js';
import { createInvite } from './service.js';

/** Who the invites made by the command show as their inviter. */
const COMMAND_ACTOR = { id: 'astrolabe-command', type: 'SERVICEKEY' };

/**
 * `astrolabe user invite`: invites an email address to an organization (by default as its
 * owner), the way to let the first person in. Prints the invite as the API shows it.
 */
async function userInvite(config: Config, args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { 'organization-id': { type: 'string' }, email: { type: 'string' }, role: { type: 'string' } } });
  const organizationId = values['organization-id'];
  if (!organizationId || !values.email) throw new UsageError('user invite needs --organization-id ORG --email EMAIL');
  const role = values.role ?? 'ORGANIZATION_OWNER';
  if (!(ORGANIZATION_ROLES as readonly string[]).includes(role)) throw new UsageError(`--role must be one of ${ORGANIZATION_ROLES.join(', ')}`);
  const app = await openContext(config);
  try {
    if (!(await findOrganization(app.db, organizationId))) throw new UsageError(`no organization ${organizationId}`);
    const invite = await createInvite(app, COMMAND_ACTOR, organizationId, { inviteeEmail: values.email, role: role as (typeof ORGANIZATION_ROLES)[number] });
    process.stdout.write(JSON.stringify(invite) + '\n');
  } catch (err) {
    if (err instanceof ApiError) throw new UsageError(err.message);
    throw err;
  } finally {
    await app.store.close();
  }
}

export function registerUserCommands(commands: CommandTable): void {
  commands['user invite'] = userInvite;
}
