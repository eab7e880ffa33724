import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A container registry stand-in on a loopback port, for tests of image deploys: it answers the
 * manifest endpoint of the Docker Registry HTTP API v2 (`HEAD|GET /v2/<name>/manifests/<ref>`)
 * from the images a test "pushes", and records every request it gets. Nothing leaves the machine.
 */
export interface RegistryStandIn {
  /** `127.0.0.1:<port>`, as ASTROLABE_REGISTRY takes it. */
  host: string;
  /** Makes `<name>:<tag>` present, as `docker push` would. */
  push(name: string, tag: string): void;
  /** Makes every manifest request answer this status instead (e.g. 401, 500); undefined to stop. */
  answerAll(status: number | undefined): void;
  /** The requests received: method, path and Accept header. */
  requests: { method: string; path: string; accept: string }[];
  close(): Promise<void>;
}

const MANIFEST = /^\/v2\/(.+)\/manifests\/([^/]+)$/;

export async function startRegistry(): Promise<RegistryStandIn> {
  const images = new Set<string>();
  const requests: RegistryStandIn['requests'] = [];
  let forced: number | undefined;
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0]!;
    requests.push({ method: req.method ?? '', path, accept: String(req.headers.accept ?? '') });
    const m = MANIFEST.exec(path);
    if (forced !== undefined) {
      res.writeHead(forced, { 'content-type': 'application/json' }).end(req.method === 'HEAD' ? undefined : '{"errors":[{"code":"UNAUTHORIZED"}]}');
      return;
    }
    if (!m || (req.method !== 'HEAD' && req.method !== 'GET')) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"errors":[{"code":"UNSUPPORTED"}]}');
      return;
    }
    const [, name, ref] = m;
    if (!images.has(`${name}:${decodeURIComponent(ref!)}`)) {
      // What registry:2 answers for an unknown tag.
      res.writeHead(404, { 'content-type': 'application/json' }).end(req.method === 'HEAD' ? undefined : '{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}');
      return;
    }
    res.writeHead(200, {
      'content-type': 'application/vnd.docker.distribution.manifest.v2+json',
      'docker-content-digest': 'sha256:0000000000000000000000000000000000000000000000000000000000000000',
      'docker-distribution-api-version': 'registry/2.0',
    }).end(req.method === 'HEAD' ? undefined : '{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    host: `127.0.0.1:${port}`,
    push: (name, tag) => { images.add(`${name}:${tag}`); },
    answerAll: (status) => { forced = status; },
    requests,
    close: () => new Promise<void>((resolve, reject) => {
      server.closeAllConnections();
      server.close((err) => (err ? reject(err) : resolve()));
    }),
  };
}

/** The registry path of an image repository `<host>/<name>`: what `docker push` sends as the name. */
export function repositoryName(imageRepository: string): string {
  return imageRepository.slice(imageRepository.indexOf('/') + 1);
}
