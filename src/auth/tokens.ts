import { createHash, randomBytes } from 'node:crypto';
import type { Queryable } from '../store/types.js';
import { ensureSecret } from '../store/secrets.js';

/** Token values are never stored: only this digest is, and every request is looked up by it. */
export function hashToken(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

/** The short, displayable part of a token value shown in listings. */
export function shortTokenOf(value: string): string {
  return value.slice(-7);
}

const SIGNING_KEY = 'jwt_signing_key';

async function signingKey(db: Queryable): Promise<Uint8Array> {
  return Buffer.from(await ensureSecret(db, SIGNING_KEY, () => randomBytes(32).toString('base64')), 'base64');
}

export interface TokenClaims {
  tokenId: string;
  organizationId: string;
  scope: 'ORGANIZATION' | 'WORKSPACE' | 'DEPLOYMENT';
  entityId: string;
  issuedAt: Date;
  expiresAt?: Date;
}

/**
 * Issues a token value shaped as the `astro` CLI expects: a JWT whose `permissions` claim lists
 * `<kind>:<id>` entries (always `organizationId:<org>`), with `apiTokenId` naming the record.
 */
export async function mintTokenValue(db: Queryable, c: TokenClaims): Promise<string> {
  const permissions = [`organizationId:${c.organizationId}`];
  if (c.scope === 'WORKSPACE') permissions.push(`workspaceId:${c.entityId}`);
  if (c.scope === 'DEPLOYMENT') permissions.push(`deploymentId:${c.entityId}`);
  // jose is loaded on the first token minted, not at every start.
  const { SignJWT } = await import('jose');
  const jwt = new SignJWT({ permissions, apiTokenId: c.tokenId, scope: c.scope, nonce: randomBytes(8).toString('hex') })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer('astrolabe')
    .setSubject(c.tokenId)
    .setIssuedAt(Math.floor(c.issuedAt.getTime() / 1000));
  if (c.expiresAt) jwt.setExpirationTime(Math.floor(c.expiresAt.getTime() / 1000));
  return jwt.sign(await signingKey(db));
}
