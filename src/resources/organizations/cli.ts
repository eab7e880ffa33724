import { parseArgs } from 'node:util';
import { openContext, UsageError, type CommandTable } from '../../command.js';
import type { Config } from '../../config.js';
import { createOrganizationWithOwner } from './service.js';

/** `astrolabe org create`: a new organization and its owner token, printed as JSON. */
async function orgCreate(config: Config, args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { name: { type: 'string' }, product: { type: 'string' } } });
  if (!values.name?.trim()) throw new UsageError('org create needs --name NAME');
  if (values.name.length > 50) throw new UsageError('--name must be at most 50 characters');
  const product = (values.product ?? 'HOSTED').toUpperCase();
  if (product !== 'HOSTED' && product !== 'HYBRID') throw new UsageError('--product must be HOSTED or HYBRID');
  const app = await openContext(config);
  try {
    const created = await createOrganizationWithOwner(app, { name: values.name, product });
    process.stdout.write(JSON.stringify({ organizationId: created.organizationId, token: created.token }) + '\n');
  } finally {
    await app.store.close();
  }
}

export function registerOrganizationCommands(commands: CommandTable): void {
  commands['org create'] = orgCreate;
}
