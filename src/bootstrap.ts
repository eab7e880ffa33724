import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { openContext, UsageError, type CommandTable } from './command.js';
import type { Config } from './config.js';
import type { AppContext } from './context.js';
import { countOrganizations } from './resources/organizations/repo.js';
import { insertOrganization } from './resources/organizations/service.js';
import { createOwnerToken, setTokenSecret } from './resources/tokens/service.js';
import { inTransaction } from './store/transactions.js';
import { newId } from './store/ids.js';
import { readSecret, writeSecret } from './store/secrets.js';

/*
 * How organizations come to exist in Astrolabe (the real API has no operation that creates one):
 * the first start, `astrolabe org create`, and tests. Each is born with an owner API token, its
 * creator, which holds ORGANIZATION_OWNER on it.
 */

const BOOTSTRAP_TOKEN_ID = 'bootstrap_token_id';

export interface CreatedOrganization {
  organizationId: string;
  tokenId: string;
  token: string;
}

/**
 * Creates an organization together with its first API token (role ORGANIZATION_OWNER), in one
 * transaction. `tokenValue` fixes the token's secret.
 */
export async function createOrganizationWithOwner(
  app: AppContext,
  opts: { name: string; product?: 'HOSTED' | 'HYBRID'; tokenValue?: string },
): Promise<CreatedOrganization> {
  return inTransaction(app.db, async (tx) => {
    const organizationId = newId();
    const tokenId = newId();
    // The owner token is the organization's creator, and its own.
    await insertOrganization(tx, app.clock.now(), { id: tokenId, type: 'SERVICEKEY' }, { id: organizationId, name: opts.name, product: opts.product });
    const { token } = await createOwnerToken(tx, app.clock, { organizationId, tokenId, name: 'Astrolabe owner token', value: opts.tokenValue });
    return { organizationId, tokenId, token };
  });
}

export interface BootstrapResult {
  created: boolean;
  organizationId?: string;
  token?: string;
}

/**
 * On an empty store, creates the first organization and its owner token, prints the token once
 * and writes it to `<dataDir>/bootstrap-token` (mode 0600). On later starts with
 * ASTROLABE_BOOTSTRAP_TOKEN set, makes that string the owner token's secret again.
 */
export async function ensureBootstrap(app: AppContext): Promise<BootstrapResult> {
  const { config, db } = app;
  if ((await countOrganizations(db)) === 0) {
    const created = await createOrganizationWithOwner(app, { name: config.orgName, tokenValue: config.bootstrapToken });
    await writeSecret(db, BOOTSTRAP_TOKEN_ID, created.tokenId);
    fs.mkdirSync(config.dataDir, { recursive: true });
    const file = path.join(config.dataDir, 'bootstrap-token');
    fs.writeFileSync(file, created.token + '\n', { mode: 0o600 });
    fs.chmodSync(file, 0o600);
    return { created: true, organizationId: created.organizationId, token: created.token };
  }
  if (config.bootstrapToken) {
    const tokenId = await readSecret(db, BOOTSTRAP_TOKEN_ID);
    if (tokenId) await setTokenSecret(db, tokenId, config.bootstrapToken);
  }
  return { created: false };
}

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
