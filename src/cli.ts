import { ConfigError, loadConfig, type Config } from './config.js';
import { openContext, UsageError, type Command, type CommandTable } from './command.js';
import { SecretKeyError } from './store/crypto.js';
import { buildApp } from './app.js';
import { ensureBootstrap, registerOrganizationCommands } from './bootstrap.js';
import { registerClusterCommand } from './resources/clusters/cli.js';
import { registerUserCommands } from './resources/users/cli.js';

async function serve(config: Config): Promise<void> {
  const app = await openContext(config);
  const boot = await ensureBootstrap(app);
  const fastify = await buildApp(app, { logger: { level: config.logLevel } });
  if (boot.created) {
    process.stdout.write(
      `Created organization ${boot.organizationId} ("${config.orgName}").\n` +
      `Owner API token (shown once; also saved to ${config.dataDir}/bootstrap-token):\n${boot.token}\n`,
    );
  }
  const shutdown = async (signal: string) => {
    fastify.log.info({ signal }, 'shutting down');
    await fastify.close();
    await app.store.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  await fastify.listen({ host: config.host, port: config.port });
}

const commands: CommandTable = {
  serve: (config) => serve(config),
};
registerOrganizationCommands(commands);
registerClusterCommand(commands);
// Loaded when run: the certificate library stays out of every server start.
commands['tls init'] = async (config, args) => (await import('./tls.js')).tlsInit(config, args);
registerUserCommands(commands);

const USAGE = `Usage: astrolabe <command>
  serve                                   run the API server (default)
  org create --name NAME [--product HOSTED|HYBRID]
                                          create an organization; prints {"organizationId","token"}
  cluster register --organization-id ORG --name NAME --cloud-provider AWS|AZURE|GCP --region REGION [--vpc-subnet-range CIDR]
                   [--db-instance-type TYPE] [--node-instance-type TYPE] [--provider-account ID]
                                          register a HYBRID cluster; prints it as the API shows it
  tls init [--host NAME]... [--out DIR] [--days N]
                                          create a private CA and a server certificate (default host
                                          api.astronomer.io) and print how to trust and use them
  user invite --organization-id ORG --email EMAIL [--role ORGANIZATION_OWNER|...]
                                          invite a person (default: as owner); their first sign-in accepts it`;

export async function runCli(argv: string[]): Promise<number> {
  const [a, b, ...rest] = argv;
  let cmd: Command | undefined;
  let args: string[] = [];
  if (a === undefined) cmd = commands.serve;
  else if (a === '--help' || a === '-h' || a === 'help') {
    process.stdout.write(USAGE + '\n');
    return 0;
  } else if (commands[`${a} ${b}`]) {
    cmd = commands[`${a} ${b}`];
    args = rest;
  } else if (commands[a]) {
    cmd = commands[a];
    args = b === undefined ? rest : [b, ...rest];
  }
  if (!cmd) {
    process.stderr.write(`Unknown command: ${argv.join(' ')}\n${USAGE}\n`);
    return 2;
  }
  try {
    await cmd(loadConfig(), args);
    return 0;
  } catch (err) {
    // A wrong or unreadable secret key is a configuration error too: its message says what to do.
    if (err instanceof UsageError || err instanceof ConfigError || err instanceof SecretKeyError || (err as { code?: string }).code?.startsWith?.('ERR_PARSE_ARGS')) {
      process.stderr.write(`astrolabe: ${(err as Error).message}\n`);
      return 2;
    }
    throw err;
  }
}
