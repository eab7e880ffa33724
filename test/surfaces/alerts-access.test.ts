import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { WORKSPACE_ROLES } from '../../src/auth/permissions.js';
import { createOrganizationWithOwner } from '../../src/resources/organizations/service.js';
import { labsV1Surface, platformV1beta1Surface } from '../../src/resources/index.js';
import type { ApiClient, ApiResponse } from '../helpers/client.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { cases } from './alerts-access-cases.js';

/**
 * The access matrix's checks for the alert operations of the older surfaces (the matrix runs /v1
 * only): no token, another organization, a caller of another Workspace or Deployment, the
 * Workspace role below the least allowed one, and the allowed one.
 */
describe('alerts and channels: access by role and target', () => {
  let s: TestServer;
  let foreign: ApiClient;
  let w2: string;
  let d2: string;
  const ops = new Map([...platformV1beta1Surface.operations, ...labsV1Surface.operations].map((o) => [o.operationId, o]));
  before(async () => {
    s = await startServer();
    foreign = s.as((await createOrganizationWithOwner(s.app, { name: 'alerts other organization' })).token);
    w2 = (await s.api.post(`/v1/organizations/${s.orgId}/workspaces`, { name: 'access W2', defaultCloudProvider: 'AWS', defaultRegion: 'us-east-1' })).body.id;
    d2 = (await s.api.post(`/v1/organizations/${s.orgId}/deployments`, { name: 'access D2', workspaceId: w2 })).body.id;
  });
  after(async () => { await s.close(); });

  let n = 0;
  for (const [operationId, c] of Object.entries(cases)) {
    it(operationId, async () => {
      const op = ops.get(operationId);
      assert.ok(op, `${operationId} is not served`);
      const orgs = `/v1/organizations/${s.orgId}`;
      const ws = (await s.api.post(`${orgs}/workspaces`, { name: `access ${++n}`, defaultCloudProvider: 'AWS', defaultRegion: 'us-east-1' })).body.id;
      const dep = (await s.api.post(`${orgs}/deployments`, { name: `access ${n}`, workspaceId: ws })).body.id;
      const ctx = { s, orgId: s.orgId, workspaceId: ws, deploymentId: dep };
      const success = op.success.status;
      const problems: string[] = [];
      const send = async (client: ApiClient) => {
        const req = await c.prepare(ctx);
        return client.request(op.method, req.path, { body: req.body, query: req.query });
      };
      const expect = (who: string, res: ApiResponse, status: number) => {
        if (res.status !== status) problems.push(`${who}: expected ${status}, got ${res.status} ${res.text.slice(0, 200)}`);
      };
      expect('no token', await send(s.as(undefined)), 401);
      expect('another organization', await send(foreign), 403);
      const elsewhere: [string, ApiClient][] = [
        ['a Workspace Owner of another Workspace', await s.withRoles('WORKSPACE', w2, [{ entityType: 'WORKSPACE', entityId: w2, role: 'WORKSPACE_OWNER' }])],
        ['a Deployment Admin of another Deployment', await s.withRoles('DEPLOYMENT', d2, [{ entityType: 'DEPLOYMENT', entityId: d2, role: 'DEPLOYMENT_ADMIN' }])],
      ];
      for (const [who, client] of elsewhere) {
        const res = await send(client);
        if (c.narrowed) {
          expect(who, res, success);
          if (res.text.includes(dep)) problems.push(`${who}: the answer shows ${dep}`);
        } else {
          expect(who, res, 403);
        }
      }
      const i = (WORKSPACE_ROLES as readonly string[]).indexOf(c.allowed.role);
      if (!c.narrowed && c.allowed.scope === 'WORKSPACE' && i + 1 < WORKSPACE_ROLES.length) {
        const lower = WORKSPACE_ROLES[i + 1]!;
        expect(`${lower} on its workspace`, await send(await s.withRoles('WORKSPACE', ws, [{ entityType: 'WORKSPACE', entityId: ws, role: lower }])), 403);
      }
      const entity = c.allowed.scope === 'ORGANIZATION' ? s.orgId : c.allowed.scope === 'WORKSPACE' ? ws : dep;
      expect(`${c.allowed.role}`, await send(await s.withRoles(c.allowed.scope, entity, [{ entityType: c.allowed.scope, entityId: entity, role: c.allowed.role }])), success);
      assert.deepEqual(problems, [], `${operationId}:\n  ${problems.join('\n  ')}`);
    });
  }
});
