import assert from 'node:assert/strict';
import { SignJWT } from 'jose';
import type { ApiClient } from './client.js';
import { startServer, type TestServer } from './server.js';

/** The HS256 secret user-auth tests start their servers with. */
export const USER_JWT_SECRET = 'test-user-jwt-secret-0123456789abcdef';

export interface UserClaimsIn {
  sub: string;
  email: string;
  name?: string;
  picture?: string;
  email_verified?: boolean;
}

/** An HS256 user JWT valid for `ttlSeconds` from `now` (the test server's clock). */
export function mintUserJwt(claims: UserClaimsIn, now: Date, opts: { ttlSeconds?: number; secret?: string } = {}): Promise<string> {
  const iat = Math.floor(now.getTime() / 1000);
  return new SignJWT({ ...claims })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuedAt(iat)
    .setExpirationTime(iat + (opts.ttlSeconds ?? 3600))
    .sign(new TextEncoder().encode(opts.secret ?? USER_JWT_SECRET));
}

/** A server accepting HS256 user JWTs signed with USER_JWT_SECRET. */
export function startUserServer(env: Record<string, string> = {}): Promise<TestServer> {
  return startServer({ ASTROLABE_USER_JWT_SECRET: USER_JWT_SECRET, ...env });
}

let n = 0;

/**
 * A new ACTIVE user of the test organization: invited by the owner with `role`, then signed in
 * once (which accepts the invite). Answers its client, id and email.
 */
export async function joinAsUser(s: TestServer, role = 'ORGANIZATION_MEMBER', name?: string): Promise<{ api: ApiClient; id: string; email: string; token: string }> {
  n++;
  const email = `user${n}.${Date.now().toString(36)}@example.com`;
  const inv = await s.api.post(`/v1/organizations/${s.orgId}/invites`, { inviteeEmail: email, role });
  assert.equal(inv.status, 200, inv.text);
  const token = await mintUserJwt({ sub: `idp|${email}`, email, name: name ?? `User ${n}` }, s.clock.now(), { ttlSeconds: 30 * 86_400 });
  const api = s.as(token);
  const self = await api.get('/v1/users/self');
  assert.equal(self.status, 200, self.text);
  assert.equal(self.body.status, 'ACTIVE');
  return { api, id: self.body.id, email, token };
}
