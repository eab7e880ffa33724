// Baselines for `npm run bench`: a server answering each benchmarked path with the exact bytes and
// Content-Type Astrolabe returned for it, and /readyz for the start-up poll.
//   bare node:http (the ceiling the targets are ratios of), or
//   `fastify`: the same answers through a Fastify instance with no hooks, no validation, no
//   logger: what the framework Astrolabe is built on costs by itself (its floor, not a target).
// Usage: node --import tsx bench/baseline-server.ts <responses.json> [fastify]
// (port from PORT, host HOST).
import fs from 'node:fs';
import http from 'node:http';
import Fastify from 'fastify';

interface Canned { status: number; contentType: string; body: string /* base64 */ }

const file = process.argv[2];
if (!file) throw new Error('usage: baseline-server.ts <responses.json>');
const raw = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, Canned>;
const routes = new Map(Object.entries(raw).map(([url, c]) => [url, { ...c, bytes: Buffer.from(c.body, 'base64') }]));
const ready = Buffer.from('{"status":"ok"}');

const port = Number(process.env.PORT);
const host = process.env.HOST ?? '127.0.0.1';

if (process.argv[3] === 'fastify') {
  const app = Fastify();
  app.get('/*', (req, reply) => {
    const hit = routes.get(req.url);
    if (hit) return reply.code(hit.status).type(hit.contentType).send(hit.bytes);
    if (req.url === '/readyz') return reply.type('application/json; charset=utf-8').send(ready);
    return reply.code(404).send();
  });
  await app.listen({ port, host });
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => void app.close().then(() => process.exit(0)));
} else {
  serveBare();
}

function serveBare(): void {
  const server = http.createServer((req, res) => {
    const hit = routes.get(req.url ?? '');
    if (hit) {
      res.writeHead(hit.status, { 'Content-Type': hit.contentType, 'Content-Length': hit.bytes.length });
      res.end(hit.bytes);
    } else if (req.url === '/readyz') {
      res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': ready.length });
      res.end(ready);
    } else {
      res.writeHead(404).end();
    }
  });

  server.listen(port, host);
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}
