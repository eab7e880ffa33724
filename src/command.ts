import { createContext } from './app-context.js';
import type { Config } from './config.js';
import type { AppContext } from './context.js';
import { openStore } from './store/open.js';
import { systemClock } from './time.js';

/** A subcommand of `astrolabe`; resource families add theirs to the command table. */
export type Command = (config: Config, args: string[]) => Promise<void>;
export type CommandTable = Record<string, Command>;

/** Wrong flags or values: printed without a stack trace, exit code 2. */
export class UsageError extends Error {}

export async function openContext(config: Config): Promise<AppContext> {
  const store = await openStore({ dataDir: config.dataDir, databaseUrl: config.databaseUrl, secretKey: config.secretKey });
  return createContext({ store, clock: systemClock, config });
}
