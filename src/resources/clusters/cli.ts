import { parseArgs } from 'node:util';
import { openContext, UsageError, type CommandTable } from '../../command.js';
import type { Config } from '../../config.js';
import { ApiError } from '../../core/errors.js';
import { CLOUD_PROVIDERS, type CloudProvider } from '../../core/schemas.js';
import { registerHybridCluster } from './service.js';

/**
 * `astrolabe cluster register`: stands in for the step that brings a hybrid cluster into an
 * Organization, which the API itself does not offer.
 */
async function clusterRegister(config: Config, args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      'organization-id': { type: 'string' },
      name: { type: 'string' },
      'cloud-provider': { type: 'string' },
      region: { type: 'string' },
      'vpc-subnet-range': { type: 'string' },
      'db-instance-type': { type: 'string' },
      'node-instance-type': { type: 'string' },
      'provider-account': { type: 'string' },
    },
  });
  const organizationId = values['organization-id'];
  if (!organizationId) throw new UsageError('cluster register needs --organization-id ORG');
  if (!values.name) throw new UsageError('cluster register needs --name NAME');
  const provider = values['cloud-provider']?.toUpperCase();
  if (!provider || !(CLOUD_PROVIDERS as readonly string[]).includes(provider)) {
    throw new UsageError(`cluster register needs --cloud-provider ${CLOUD_PROVIDERS.join('|')}`);
  }
  if (!values.region) throw new UsageError('cluster register needs --region REGION');
  const app = await openContext(config);
  try {
    const cluster = await registerHybridCluster(app, {
      organizationId,
      name: values.name,
      cloudProvider: provider as CloudProvider,
      region: values.region,
      vpcSubnetRange: values['vpc-subnet-range'],
      dbInstanceType: values['db-instance-type'],
      nodeInstanceType: values['node-instance-type'],
      providerAccount: values['provider-account'],
    });
    process.stdout.write(JSON.stringify(cluster) + '\n');
  } catch (err) {
    // Rule violations (bad region, unknown organization, ...) are usage errors of the command.
    if (err instanceof ApiError) throw new UsageError(flagNames(err));
    throw err;
  } finally {
    await app.store.close();
  }
}

const FLAGS: Record<string, string> = {
  name: '--name',
  region: '--region',
  vpcSubnetRange: '--vpc-subnet-range',
  dbInstanceType: '--db-instance-type',
  'nodePools[0].nodeInstanceType': '--node-instance-type',
};

/** The service's message, led by the flag the offending field came from. */
function flagNames(err: ApiError): string {
  const msg = err.message.replace(/^Invalid request: /, '');
  const flag = FLAGS[err.fieldErrors?.[0]?.field ?? ''];
  return flag ? `${flag}: ${msg}` : msg;
}

export function registerClusterCommand(commands: CommandTable): void {
  commands['cluster register'] = clusterRegister;
}
