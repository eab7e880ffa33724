import fs from 'node:fs';
import path from 'node:path';
import type { AppContext } from './context.js';
import { countOrganizations } from './resources/organizations/repo.js';
import { createOrganizationWithOwner } from './resources/organizations/service.js';
import { setTokenSecret } from './resources/tokens/service.js';
import { readSecret, writeSecret } from './store/secrets.js';

const BOOTSTRAP_TOKEN_ID = 'bootstrap_token_id';

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
