import path from 'node:path';
import { parseSecretKey } from './store/crypto.js';

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
  /**
   * The container registry image deploys push to (`host[:port]`, e.g. `127.0.0.1:5000`); none is
   * bundled. Unset: image repositories name a host under astrolabe.localhost that does not exist.
   */
  registry: string | undefined;
  /**
   * The URL clients reach this server at (`https://astro.example.com`), for the upload URLs of
   * deploys; unset, they are built from each request's Host header (and scheme).
   */
  publicUrl: string | undefined;
  /** Largest DAG or bundle tarball an upload may bring, in bytes. */
  uploadMaxBytes: number;
  /** Days a Deployment's component log lines are kept (ASTROLABE_LOG_RETENTION_DAYS). */
  logRetentionDays: number;
  /** PEM files to serve HTTPS with (ASTROLABE_TLS_CERT and ASTROLABE_TLS_KEY, both or neither). */
  tls: { certFile: string; keyFile: string } | undefined;
  /** Days audit records are kept (ASTROLABE_AUDIT_RETENTION_DAYS); older ones are deleted. */
  auditRetentionDays: number;
  /**
   * ASTROLABE_SECRET_KEY: the 32-byte key (base64 or hex) that encrypts secrets at rest (secret
   * variable values, connection passwords, metrics-export credentials). Unset: a key generated on
   * the first start, kept in `<dataDir>/secret-key` (SQLite) or in the store (PostgreSQL).
   */
  secretKey: Buffer | undefined;
  /**
   * How users sign in (see README, "How users authenticate"). Either or both may be set; with
   * neither, only API tokens authenticate.
   */
  userAuth: {
    /** ASTROLABE_USER_JWT_SECRET: HS256 user JWTs signed with this secret are accepted (local use). */
    jwtSecret?: string;
    /** ASTROLABE_OIDC_ISSUER: RS256/ES256 JWTs from this issuer, checked against its JWKS. */
    oidcIssuer?: string;
    /** ASTROLABE_OIDC_AUDIENCE: the `aud` those JWTs must carry, when set. */
    oidcAudience?: string;
  };
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

function keyVar(env: NodeJS.ProcessEnv, name: string): Buffer | undefined {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  try {
    return parseSecretKey(raw, name);
  } catch (err) {
    throw new ConfigError((err as Error).message);
  }
}

function boolVar(env: NodeJS.ProcessEnv, name: string): boolean {
  const raw = (env[name] ?? '').trim().toLowerCase();
  if (raw === '' || raw === '0' || raw === 'false') return false;
  if (raw === '1' || raw === 'true') return true;
  throw new ConfigError(`${name} must be true, false, 1 or 0, got "${env[name]}"`);
}

/** Shortest HS256 secret accepted: RFC 7518 wants a key at least as long as the hash (256 bits). */
const MIN_JWT_SECRET_LENGTH = 32;

function userAuthConfig(env: NodeJS.ProcessEnv): Config['userAuth'] {
  const jwtSecret = env.ASTROLABE_USER_JWT_SECRET || undefined;
  if (jwtSecret !== undefined && Buffer.byteLength(jwtSecret, 'utf8') < MIN_JWT_SECRET_LENGTH) {
    throw new ConfigError(`ASTROLABE_USER_JWT_SECRET must be at least ${MIN_JWT_SECRET_LENGTH} bytes long`);
  }
  const oidcIssuer = env.ASTROLABE_OIDC_ISSUER || undefined;
  if (oidcIssuer !== undefined) {
    let u: URL;
    try {
      u = new URL(oidcIssuer);
    } catch {
      throw new ConfigError(`ASTROLABE_OIDC_ISSUER must be a URL, got "${oidcIssuer}"`);
    }
    if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new ConfigError('ASTROLABE_OIDC_ISSUER must be an http(s) URL');
  }
  const oidcAudience = env.ASTROLABE_OIDC_AUDIENCE || undefined;
  if (oidcAudience !== undefined && oidcIssuer === undefined) throw new ConfigError('ASTROLABE_OIDC_AUDIENCE needs ASTROLABE_OIDC_ISSUER');
  return { jwtSecret, oidcIssuer, oidcAudience };
}

function registryVar(raw: string | undefined): string | undefined {
  const value = (raw ?? '').trim().replace(/\/+$/, '');
  if (value === '') return undefined;
  if (/^[a-z]+:\/\//i.test(value) || /\s/.test(value)) {
    throw new ConfigError(`ASTROLABE_REGISTRY must be a registry host such as 127.0.0.1:5000 (no scheme), got "${raw}"`);
  }
  return value;
}

function publicUrlVar(raw: string | undefined): string | undefined {
  const value = (raw ?? '').trim();
  if (value === '') return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`ASTROLABE_PUBLIC_URL must be an http(s) URL, got "${raw}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigError(`ASTROLABE_PUBLIC_URL must be an http(s) URL, got "${raw}"`);
  return value.replace(/\/+$/, '');
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
    registry: registryVar(env.ASTROLABE_REGISTRY),
    publicUrl: publicUrlVar(env.ASTROLABE_PUBLIC_URL),
    uploadMaxBytes: intVar(env, 'ASTROLABE_UPLOAD_MAX_BYTES', 100 * 1024 * 1024, 1024, 1024 * 1024 * 1024),
    logRetentionDays: intVar(env, 'ASTROLABE_LOG_RETENTION_DAYS', 30, 1, 3650),
    tls: certFile && keyFile ? { certFile: path.resolve(certFile), keyFile: path.resolve(keyFile) } : undefined,
    auditRetentionDays: intVar(env, 'ASTROLABE_AUDIT_RETENTION_DAYS', 90, 1, 36500),
    secretKey: keyVar(env, 'ASTROLABE_SECRET_KEY'),
    userAuth: userAuthConfig(env),
  };
}
