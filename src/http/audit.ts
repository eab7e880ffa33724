import type { FastifyRequest } from 'fastify';
import type { AppContext } from '../context.js';
import type { Target } from '../auth/access.js';
import { identify } from '../auth/authenticate.js';
import type { Principal } from '../auth/principal.js';
import { resolveProfiles } from '../auth/subjects.js';
import type { CommitRider } from '../store/transactions.js';
import type { Db, Tx } from '../store/types.js';
import { newId } from '../store/ids.js';
import { storedTime } from '../time.js';
import type { AuditRecord, AuditSink } from './audit-sink.js';
import { redactSecrets } from './redaction.js';

/*
 * The audit record of every mutating request, written by the operation pipeline (operation.ts):
 * - the handler runs with the request's RequestAudit as the commit rider of store/transactions.ts, so the
 *   first transaction it commits carries the record (the change and its record commit or roll
 *   back together; a handler with several transactions still gets one record);
 * - once the answer is decided (onSend, before it leaves), a record no transaction carried is
 *   written on its own (refused and failed requests, handlers without a transaction), and one
 *   that was carried is corrected if the answer turned out otherwise (a later step failed) or
 *   names the resource the request created.
 * Records belong to the caller's organization: a request with no valid token is recorded
 * nowhere (no organization vouches for it; the server log has it). Records are stored through
 * the audit sink (./audit-sink.ts, app.ports.audit).
 */

/** Longest body kept, as JSON text after redaction; a larger one is recorded by its size. */
const MAX_BODY = 64 * 1024;
const MAX_USER_AGENT = 512;
const MAX_PATH = 2048;
/** Ids come from the path too, where they may be anything up to the router's segment limit. */
const MAX_ID = 256;
const capId = (v: string | undefined) => (v === undefined ? null : v.slice(0, MAX_ID));

/** What the pipeline knows about a request when it starts its record. */
export interface AuditFacts {
  operationId: string;
  /** The template of the operation's path, to find the resource it names. */
  pathTemplate: string;
  /** The status the operation answers on success, recorded until the answer says otherwise. */
  successStatus: number;
}

declare module 'fastify' {
  interface FastifyRequest {
    audit?: RequestAudit;
    /** The target an operation's resolver found (see registerOperation), for the record. */
    resolvedTarget?: Target;
  }
}

function bodyFields(body: unknown): Pick<AuditRecord, 'requestBody' | 'requestBodySize'> {
  if (body === undefined || body === null) return { requestBody: null, requestBodySize: null };
  const text = JSON.stringify(redactSecrets(body));
  // JSON.stringify escapes control characters (NUL included) and lone surrogates, so the text
  // is storable in both stores as it is.
  if (text.length <= MAX_BODY) return { requestBody: text, requestBodySize: null };
  return { requestBody: null, requestBodySize: Buffer.byteLength(text) };
}

/** The last path parameter other than the organization: what the request acts on. */
function pathResource(template: string, params: Record<string, string>): string | undefined {
  const names = [...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!).filter((n) => n !== 'organizationId');
  const last = names.at(-1);
  return last === undefined ? undefined : params[last];
}

/** The id of an object a handler returned, if it has one. */
function idOf(result: unknown): string | undefined {
  const id = typeof result === 'object' && result !== null ? (result as { id?: unknown }).id : undefined;
  return typeof id === 'string' ? id.slice(0, MAX_ID) : undefined;
}

export class RequestAudit implements CommitRider {
  private state: 'pending' | 'writing' | 'written' = 'pending';
  /** The resource id was learned after the record was written. */
  private learned = false;
  /** The resource id was taken from the carrying transaction's result, not from the path. */
  private guessed = false;

  constructor(private readonly sink: AuditSink, private readonly row: AuditRecord) {}

  async ride(tx: Tx, result: unknown): Promise<boolean> {
    if (this.state !== 'pending') return false;
    // A create names what it made in its transaction's result: the record carries it at once,
    // rather than being corrected by a second write once the answer is known.
    if (!this.row.resourceId) {
      const id = idOf(result);
      if (id !== undefined) [this.row.resourceId, this.guessed] = [id, true];
    }
    this.state = 'writing';
    try {
      await this.sink.write(tx, this.row);
      return true;
    } catch (err) {
      this.state = 'pending';
      throw err;
    }
  }

  settled(committed: boolean): void {
    this.state = committed ? 'written' : 'pending';
  }

  /** The id of what a successful request created, when its path named nothing. */
  created(result: unknown): void {
    if (this.row.resourceId && !this.guessed) return; // the path named it
    const id = idOf(result);
    if (id === undefined || id === this.row.resourceId) return;
    this.row.resourceId = id;
    this.learned = this.state === 'written';
  }

  /** Writes or corrects the record once the answer's status is known. */
  async finish(db: Db, status: number): Promise<void> {
    if (this.state === 'written') {
      if (status === this.row.statusCode && !this.learned) return;
      this.row.statusCode = status;
      await this.sink.correct(db, this.row.id, { statusCode: status, resourceId: this.row.resourceId });
      return;
    }
    // 'writing' here means a transaction the handler left running is committing it: let it.
    if (this.state === 'writing') return;
    this.row.statusCode = status;
    this.state = 'written';
    await this.sink.write(db, this.row);
  }
}

/** Starts the record of a request whose caller is known. */
export async function startAudit(app: AppContext, req: FastifyRequest, principal: Principal, facts: AuditFacts): Promise<RequestAudit> {
  const params = (req.params ?? {}) as Record<string, string>;
  const target = req.resolvedTarget ?? {};
  let tokenName: string | undefined;
  if (principal.subjectType === 'SERVICEKEY') {
    tokenName = (await resolveProfiles(app.db, [{ id: principal.subjectId, type: principal.subjectType }])).get(principal.subjectId)?.apiTokenName;
  }
  const userAgent = req.headers['user-agent'];
  return new RequestAudit(app.ports.audit, {
    id: newId(),
    organizationId: principal.organizationId,
    createdAt: storedTime(app.clock.now()),
    requestId: String(req.id),
    subjectId: principal.subjectId,
    subjectType: principal.subjectType,
    apiTokenId: principal.tokenId || null,
    apiTokenName: tokenName ?? null,
    operationId: facts.operationId,
    method: req.method,
    path: req.url.split('?')[0]!.slice(0, MAX_PATH),
    workspaceId: capId(target.workspaceId ?? params.workspaceId),
    deploymentId: capId(target.deploymentId ?? params.deploymentId),
    resourceId: capId(pathResource(facts.pathTemplate, params)),
    statusCode: facts.successStatus,
    sourceIp: req.ip,
    userAgent: typeof userAgent === 'string' ? userAgent.slice(0, MAX_USER_AGENT) : null,
    ...bodyFields(req.body),
  });
}

/**
 * Called once the answer to a mutating request is decided: writes or corrects its record. A
 * request refused before its caller was known (a body that does not parse, an address outside
 * the allowed ranges) is attributed to the token it carries when that token is valid. Never
 * throws: a record that cannot be written is reported in the log, and the answer stands.
 */
export async function finishAudit(app: AppContext, req: FastifyRequest, status: number, facts: AuditFacts): Promise<void> {
  try {
    if (!req.audit) {
      const principal = req.principal ?? await identify(app, req.headers.authorization).catch(() => undefined);
      if (!principal) return;
      req.audit = await startAudit(app, req, principal, facts);
    }
    await req.audit.finish(app.db, status);
  } catch (err) {
    req.log.error({ err }, 'audit record not written');
  }
}
