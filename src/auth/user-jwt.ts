import type { JWTPayload, JWTVerifyGetKey } from 'jose';
import type { Config } from '../config.js';
import { unauthorized } from '../core/errors.js';
import { normalEmail } from '../core/rules.js';

/**
 * Verification of user credentials: JWTs from an OpenID Connect issuer (RS256/ES256, keys from
 * its JWKS) or, for local use, HS256 JWTs signed with ASTROLABE_USER_JWT_SECRET. See the README,
 * "How users authenticate".
 */

/** What a verified user JWT says about the person. */
export interface UserClaims {
  subject: string;
  /** Lower-cased. */
  email: string;
  /** False only when the token says `email_verified: false`: such an address never accepts an invite. */
  emailVerified: boolean;
  fullName: string;
  avatarUrl: string;
  /** `exp`, in epoch milliseconds. */
  expiresAt: number;
}

const MAX_SUBJECT_LENGTH = 255;
const MAX_NAME_LENGTH = 256;
const MAX_PICTURE_LENGTH = 2048;
const OIDC_ALGORITHMS = ['RS256', 'ES256'];

export function userAuthEnabled(config: Config): boolean {
  return config.userAuth.jwtSecret !== undefined || config.userAuth.oidcIssuer !== undefined;
}

/** The JWKS of each issuer, found through its discovery document on first use. */
const keySets = new Map<string, Promise<JWTVerifyGetKey>>();

async function discover(issuer: string): Promise<JWTVerifyGetKey> {
  const { createRemoteJWKSet } = await import('jose');
  const url = `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
  const res = await fetch(url, { signal: AbortSignal.timeout(5000), redirect: 'error' });
  if (!res.ok) throw new Error(`${url} answered ${res.status}`);
  const doc = await res.json() as { jwks_uri?: unknown };
  if (typeof doc.jwks_uri !== 'string') throw new Error(`${url} names no jwks_uri`);
  return createRemoteJWKSet(new URL(doc.jwks_uri), { timeoutDuration: 5000 });
}

function keySetOf(issuer: string): Promise<JWTVerifyGetKey> {
  let p = keySets.get(issuer);
  if (!p) {
    p = discover(issuer);
    keySets.set(issuer, p);
    // A failed discovery is tried again by the next request, not remembered.
    p.catch(() => keySets.delete(issuer));
  }
  return p;
}

const text = (v: unknown, max: number): string | undefined => (typeof v === 'string' && v.trim() !== '' && v.length <= max ? v : undefined);

/**
 * Verifies `token` as a user JWT at `now`. Answers undefined when the token is not of a kind the
 * configuration accepts (so the caller can say "not a valid token"); throws a 401 for one that is
 * but fails verification (signature, expiry, issuer, audience, missing claims).
 */
export async function verifyUserJwt(config: Config, token: string, now: Date): Promise<UserClaims | undefined> {
  const { decodeProtectedHeader, jwtVerify, errors } = await import('jose');
  let alg: string | undefined;
  try {
    alg = decodeProtectedHeader(token).alg;
  } catch {
    return undefined;
  }
  const { jwtSecret, oidcIssuer, oidcAudience } = config.userAuth;
  let payload: JWTPayload;
  try {
    if (alg === 'HS256' && jwtSecret !== undefined) {
      ({ payload } = await jwtVerify(token, new TextEncoder().encode(jwtSecret), { algorithms: ['HS256'], currentDate: now, requiredClaims: ['sub', 'exp'] }));
    } else if (alg !== undefined && OIDC_ALGORITHMS.includes(alg) && oidcIssuer !== undefined) {
      let keys: JWTVerifyGetKey;
      try {
        keys = await keySetOf(oidcIssuer);
      } catch {
        throw unauthorized('Unauthorized: the identity provider\'s keys cannot be fetched now; try again shortly');
      }
      ({ payload } = await jwtVerify(token, keys, {
        algorithms: OIDC_ALGORITHMS, issuer: oidcIssuer, audience: oidcAudience, currentDate: now, requiredClaims: ['sub', 'exp'],
      }));
    } else {
      return undefined;
    }
  } catch (err) {
    if (err instanceof errors.JWTExpired) throw unauthorized('Unauthorized: the token has expired');
    if (err instanceof errors.JOSEError) throw unauthorized('Unauthorized: the token is not valid');
    throw err;
  }
  const subject = text(payload.sub, MAX_SUBJECT_LENGTH);
  const email = typeof payload.email === 'string' ? normalEmail(payload.email) : undefined;
  if (subject === undefined || email === undefined || typeof payload.exp !== 'number') {
    throw unauthorized('Unauthorized: a user token needs the claims sub, email and exp');
  }
  return {
    subject,
    email,
    emailVerified: payload.email_verified !== false,
    fullName: text(payload.name, MAX_NAME_LENGTH) ?? email,
    avatarUrl: text(payload.picture, MAX_PICTURE_LENGTH) ?? '',
    expiresAt: payload.exp * 1000,
  };
}
