import path from 'node:path';

/** Every environment variable the server reads, parsed and checked in one place. */
export interface Config {
  host: string;
  port: number;
  dataDir: string;
  databaseUrl: string | undefined;
  orgName: string;
  bootstrapToken: string | undefined;
  /** Seconds a cluster stays CREATING/UPDATING after a change; 0 means the change is done at once. */
  provisionSeconds: number;
  logLevel: string;
  /**
   * Whether one reverse proxy stands in front: the client address is then the last
   * `X-Forwarded-For` entry (the one the proxy added) instead of the socket's peer.
   */
  trustProxy: boolean;
  /** PEM files to serve HTTPS with (ASTROLABE_TLS_CERT and ASTROLABE_TLS_KEY, both or neither). */
  tls: { certFile: string; keyFile: string } | undefined;
}

export class ConfigError extends Error {}

function intVar(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(`${name} must be an integer between ${min} and ${max}, got "${raw}"`);
  }
  return n;
}

function boolVar(env: NodeJS.ProcessEnv, name: string): boolean {
  const raw = (env[name] ?? '').trim().toLowerCase();
  if (raw === '' || raw === '0' || raw === 'false') return false;
  if (raw === '1' || raw === 'true') return true;
  throw new ConfigError(`${name} must be true, false, 1 or 0, got "${env[name]}"`);
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const databaseUrl = env.ASTROLABE_DATABASE_URL || undefined;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError('ASTROLABE_DATABASE_URL must start with postgres:// or postgresql://');
  }
  const certFile = env.ASTROLABE_TLS_CERT || undefined;
  const keyFile = env.ASTROLABE_TLS_KEY || undefined;
  if (Boolean(certFile) !== Boolean(keyFile)) {
    throw new ConfigError('ASTROLABE_TLS_CERT and ASTROLABE_TLS_KEY go together: set both to serve HTTPS, or neither');
  }
  return {
    host: env.HOST || '127.0.0.1',
    port: intVar(env, 'PORT', 8888, 0, 65535),
    dataDir: path.resolve(env.ASTROLABE_DATA_DIR || './data'),
    databaseUrl,
    orgName: env.ASTROLABE_ORG_NAME || 'My Organization',
    bootstrapToken: env.ASTROLABE_BOOTSTRAP_TOKEN || undefined,
    provisionSeconds: intVar(env, 'ASTROLABE_PROVISION_SECONDS', 0, 0, 86400),
    logLevel: env.LOG_LEVEL || 'info',
    trustProxy: boolVar(env, 'ASTROLABE_TRUST_PROXY'),
    tls: certFile && keyFile ? { certFile: path.resolve(certFile), keyFile: path.resolve(keyFile) } : undefined,
  };
}
