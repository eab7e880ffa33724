import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../context.js';
import { answerStoreError } from '../../http/store-errors.js';
import { toBool } from '../../store/codecs.js';
import { inTransaction } from '../../store/transactions.js';
import type { Queryable } from '../../store/types.js';
import { classifyStoreError } from '../../store/errors.js';
import { storedTime } from '../../time.js';
import { putBlob, sha256 } from './blobs.js';
import * as repo from './repo.js';
import { checkSignature, uploadKey } from './signing.js';
import { NotATarball, tarballFiles } from './tarball.js';

/*
 * The upload endpoint of deploys: the part of the Azure Blob protocol the astro CLI's Azure SDK
 * speaks to a deploy's dagsUploadUrl / bundleUploadUrl (client-behaviors.md §4), served outside
 * /v1 at /blob/<deployId>/{dags,bundle}.tar.gz and authorized by the URL's signature alone:
 *   PUT <url>                                 x-ms-blob-type: BlockBlob, the whole tarball
 *   PUT <url>&comp=block&blockid=<base64>     one block, staged
 *   PUT <url>&comp=blocklist                  <BlockList><Latest>id</Latest>…</BlockList>: the staged
 *                                             blocks in order become the tarball
 * Whole uploads and committed block lists answer 201 with `x-ms-version-id`, the version a finalize
 * names. Every body must be a gzip tar archive; its file list is kept with the version. Errors are
 * Azure's: an XML <Error> with a Code, and the x-ms-error-code header, which the SDK reports.
 */

/** How long a staged block waits for its block list. */
export const BLOCK_TTL_SECONDS = 3600;
/** Most uploads one deploy may take (the version ids of a deploy count them). */
const MAX_UPLOADS = 10_000;
const DEFAULT_MS_VERSION = '2023-11-03';
/** Longest block id, decoded (Azure's limit). */
const MAX_BLOCK_ID_BYTES = 64;

class UploadError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

const xmlEscape = (s: string) => s.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);

function sendAzureError(req: FastifyRequest, reply: FastifyReply, err: UploadError): void {
  const body = `<?xml version="1.0" encoding="utf-8"?><Error><Code>${err.code}</Code><Message>${xmlEscape(err.message)}\nRequestId:${String(req.id)}</Message></Error>`;
  void reply.code(err.status)
    .header('x-ms-error-code', err.code)
    .header('x-ms-request-id', String(req.id))
    .header('x-ms-version', msVersion(req))
    .type('application/xml')
    .send(body);
}

function msVersion(req: FastifyRequest): string {
  const v = req.headers['x-ms-version'];
  return typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v) ? v : DEFAULT_MS_VERSION;
}

/** The kind of upload a deploy takes, if any: dags for DAG deploys on DAG-deploy Deployments, bundle for BUNDLE deploys. */
function kindOf(deploy: repo.DeployRow): repo.UploadKind | undefined {
  if (deploy.type === 'BUNDLE') return 'bundle';
  if ((deploy.type === 'DAG_ONLY' || deploy.type === 'IMAGE_AND_DAG') && toBool(deploy.is_dag_deploy_enabled)) return 'dags';
  return undefined;
}

/** The deploy an upload goes to, still open for uploads of `kind` (in the caller's transaction). */
async function openDeploy(db: Queryable, deployId: string, kind: repo.UploadKind): Promise<repo.DeployRow> {
  const deploy = await repo.findDeployById(db, deployId);
  if (!deploy || kindOf(deploy) !== kind) throw new UploadError(404, 'BlobNotFound', 'The deploy of this upload URL does not exist');
  if (deploy.status !== 'INITIALIZED') throw new UploadError(409, 'BlobImmutable', `The deploy is ${deploy.status}: it takes no more uploads`);
  return deploy;
}

/**
 * A version id in Azure's form (RFC 3339 with seven fractional digits): the time to the
 * millisecond, then the number of the deploy's earlier uploads of this kind, so ids of one deploy
 * never repeat.
 */
function versionId(now: Date, earlier: number): string {
  return `${now.toISOString().slice(0, 23)}${String(earlier).padStart(4, '0')}Z`;
}

function checkTarball(app: AppContext, content: Buffer): string[] {
  try {
    // Unpacked, an archive may be a good deal larger than its upload, but not without bound.
    return tarballFiles(content, Math.min(app.config.uploadMaxBytes * 20, 2 * 1024 * 1024 * 1024));
  } catch (err) {
    if (err instanceof NotATarball) throw new UploadError(400, 'InvalidBlobContent', `The upload must be a gzip-compressed tar archive: ${err.message}`);
    throw err;
  }
}

/** Stores a whole tarball as a new version of the deploy's upload and returns its version id. */
async function storeVersion(app: AppContext, deployId: string, kind: repo.UploadKind, content: Buffer, files: string[], committedBlocks?: Map<string, repo.StagedBlock>): Promise<string> {
  // The bytes go to the data directory first on SQLite (content-addressed, so a rolled-back
  // request leaves at worst an unreferenced file); on PostgreSQL into the transaction.
  const onDisk = app.store.kind === 'sqlite' ? await putBlob(app, app.db, content) : undefined;
  return inTransaction(app.db, async (tx) => {
    await repo.lockDeploy(tx, deployId);
    await openDeploy(tx, deployId, kind);
    if (committedBlocks) {
      // The blocks read before this transaction must still be the staged ones.
      const now = await repo.stagedBlocks(tx, deployId, kind);
      for (const [id, read] of committedBlocks) {
        const staged = now.get(id);
        if (staged?.size !== read.size || staged.stagedAt !== read.stagedAt) throw new UploadError(409, 'InvalidBlockList', 'The staged blocks changed while the block list was committed; commit it again');
      }
    }
    const digest = onDisk ?? (await putBlob(app, tx, content));
    const earlier = await repo.countUploads(tx, deployId, kind);
    if (earlier >= MAX_UPLOADS) throw new UploadError(409, 'BlobImmutable', `A deploy takes at most ${MAX_UPLOADS} uploads; create a new deploy`);
    const now = app.clock.now();
    const version = versionId(now, earlier);
    await repo.insertUpload(tx, { deploy_id: deployId, kind, version, sha256: digest, size: content.length, files: JSON.stringify(files), created_at: storedTime(now) });
    if (committedBlocks) await repo.clearBlocks(tx, deployId, kind);
    return version;
  });
}

function blockIdOf(raw: unknown): string {
  if (typeof raw !== 'string' || raw === '') throw new UploadError(400, 'InvalidQueryParameterValue', 'blockid is required with comp=block');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(raw) || raw.length % 4 !== 0) throw new UploadError(400, 'InvalidQueryParameterValue', 'blockid must be base64');
  if (Buffer.from(raw, 'base64').length > MAX_BLOCK_ID_BYTES) throw new UploadError(400, 'InvalidQueryParameterValue', `blockid must decode to at most ${MAX_BLOCK_ID_BYTES} bytes`);
  return raw;
}

/** The block ids of a <BlockList> body, in order; only staged (Latest/Uncommitted) blocks can be named. */
function blockList(body: Buffer): string[] {
  const xml = body.toString('utf8');
  if (!/<BlockList>[\s\S]*<\/BlockList>|<BlockList\s*\/>/.test(xml)) throw new UploadError(400, 'InvalidXmlDocument', 'The body must be a <BlockList> XML document');
  const ids: string[] = [];
  for (const m of xml.matchAll(/<(Latest|Uncommitted|Committed)>\s*([^<]*?)\s*<\/\1>/g)) {
    if (m[1] === 'Committed') throw new UploadError(400, 'InvalidBlockList', 'Committed blocks cannot be reused here: stage every block of the upload');
    ids.push(m[2]!);
  }
  return ids;
}

async function putBlock(app: AppContext, deployId: string, kind: repo.UploadKind, blockId: string, content: Buffer): Promise<void> {
  await inTransaction(app.db, async (tx) => {
    const now = app.clock.now();
    await repo.lockDeploy(tx, deployId);
    await openDeploy(tx, deployId, kind);
    await repo.expireBlocks(tx, storedTime(new Date(now.getTime() - BLOCK_TTL_SECONDS * 1000)));
    const staged = await repo.stagedBytes(tx, deployId, kind, blockId);
    if (staged + content.length > app.config.uploadMaxBytes) {
      throw new UploadError(413, 'RequestBodyTooLarge', `The staged blocks would exceed the largest upload, ${app.config.uploadMaxBytes} bytes`);
    }
    await repo.stageBlock(tx, deployId, kind, blockId, content, storedTime(now));
  });
}

async function commitBlocks(app: AppContext, deployId: string, kind: repo.UploadKind, ids: string[]): Promise<string> {
  const now = app.clock.now();
  await inTransaction(app.db, async (tx) => {
    await repo.lockDeploy(tx, deployId);
    await openDeploy(tx, deployId, kind);
    await repo.expireBlocks(tx, storedTime(new Date(now.getTime() - BLOCK_TTL_SECONDS * 1000)));
  });
  const staged = await repo.stagedBlocks(app.db, deployId, kind);
  let total = 0;
  for (const id of ids) {
    const block = staged.get(id);
    if (block === undefined) throw new UploadError(400, 'InvalidBlockList', `Block ${id} is not staged (never uploaded, or expired after ${BLOCK_TTL_SECONDS} s)`);
    total += block.size;
  }
  if (total > app.config.uploadMaxBytes) throw new UploadError(413, 'RequestBodyTooLarge', `The blocks add up to more than the largest upload, ${app.config.uploadMaxBytes} bytes`);
  const parts: Buffer[] = [];
  for (const id of ids) parts.push((await repo.blockContent(app.db, deployId, kind, id))!);
  const content = Buffer.concat(parts);
  const files = checkTarball(app, content);
  return storeVersion(app, deployId, kind, content, files, new Map(ids.map((id) => [id, staged.get(id)!])));
}

interface BlobQuery {
  se?: unknown;
  sig?: unknown;
  comp?: unknown;
  blockid?: unknown;
}

/**
 * Serves the upload endpoint on `fastify`, in a scope of its own: any body is read as bytes up
 * to ASTROLABE_UPLOAD_MAX_BYTES (beyond: 413), and every error is answered Azure's way.
 */
export async function registerUploadRoutes(fastify: FastifyInstance, app: AppContext): Promise<void> {
  await fastify.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: app.config.uploadMaxBytes }, (_req, body, done) => done(null, body));

    scope.setErrorHandler((err, req, reply) => {
      if (err instanceof UploadError) return sendAzureError(req, reply, err);
      const e = err as { code?: string; statusCode?: number; message: string };
      if (e.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
        return sendAzureError(req, reply, new UploadError(413, 'RequestBodyTooLarge', `The body is larger than the largest upload, ${app.config.uploadMaxBytes} bytes`));
      }
      const stored = classifyStoreError(err);
      if (stored) {
        const answer = answerStoreError(stored);
        req.log.warn({ err }, `store ${stored.kind} during an upload`);
        if (answer.retryAfterSeconds) void reply.header('Retry-After', String(answer.retryAfterSeconds));
        const status = answer.error.statusCode;
        return sendAzureError(req, reply, new UploadError(status, status >= 500 ? 'ServerBusy' : 'InvalidInput', answer.error.message));
      }
      if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) return sendAzureError(req, reply, new UploadError(400, 'InvalidInput', e.message));
      req.log.error({ err }, 'upload failed');
      return sendAzureError(req, reply, new UploadError(500, 'InternalError', 'The server encountered an internal error'));
    });

    scope.put('/blob/:deployId/:file', { bodyLimit: app.config.uploadMaxBytes }, async (req, reply) => {
      const { deployId, file } = req.params as { deployId: string; file: string };
      const q = req.query as BlobQuery;
      const kind: repo.UploadKind | undefined = file === 'dags.tar.gz' ? 'dags' : file === 'bundle.tar.gz' ? 'bundle' : undefined;
      if (!kind) throw new UploadError(404, 'ResourceNotFound', 'No such upload');
      const signed = checkSignature(await uploadKey(app.db), deployId, kind, q.se, q.sig, app.clock.now());
      if (signed === 'invalid') throw new UploadError(403, 'AuthenticationFailed', 'The signature of the upload URL does not match; use the URL the deploy gave');
      if (signed === 'expired') throw new UploadError(403, 'AuthenticationFailed', 'The upload URL has expired: create a new deploy');
      // A deploy that takes no more uploads says so before its body is judged.
      await openDeploy(app.db, deployId, kind);
      const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const now = app.clock.now();
      void reply.header('x-ms-request-id', String(req.id)).header('x-ms-version', msVersion(req)).header('Last-Modified', now.toUTCString());

      if (q.comp === 'block') {
        const blockId = blockIdOf(q.blockid);
        await putBlock(app, deployId, kind, blockId, body);
        return reply.code(201).header('Content-MD5', createHash('md5').update(body).digest('base64')).send();
      }
      let version: string;
      let digest: string;
      if (q.comp === 'blocklist') {
        version = await commitBlocks(app, deployId, kind, blockList(body));
        digest = (await repo.findUpload(app.db, deployId, kind, version))?.sha256 ?? '';
      } else if (q.comp === undefined) {
        const type = req.headers['x-ms-blob-type'];
        if (type === undefined) throw new UploadError(400, 'MissingRequiredHeader', 'x-ms-blob-type is required: BlockBlob');
        if (type !== 'BlockBlob') throw new UploadError(400, 'InvalidHeaderValue', 'x-ms-blob-type must be BlockBlob');
        const files = checkTarball(app, body);
        version = await storeVersion(app, deployId, kind, body, files);
        digest = sha256(body);
        void reply.header('Content-MD5', createHash('md5').update(body).digest('base64'));
      } else {
        throw new UploadError(400, 'InvalidQueryParameterValue', 'comp must be block or blocklist');
      }
      return reply.code(201).header('ETag', `"0x${digest.slice(0, 16).toUpperCase()}"`).header('x-ms-version-id', version).send();
    });
  });
}
