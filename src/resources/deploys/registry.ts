import { unavailable } from '../../core/errors.js';

/*
 * Whether the image of an image deploy is in the container registry of ASTROLABE_REGISTRY, asked
 * the way Docker and OCI clients ask (the Docker Registry HTTP API v2, which the OCI distribution
 * specification keeps): `HEAD /v2/<name>/manifests/<tag>`, answered 200 when the registry holds a
 * manifest for the tag and 404 when it does not. The registry is read anonymously (registry:2 and
 * most local registries allow that); a registry that asks for credentials, answers anything else or
 * cannot be reached leaves the question open, which the finalize answers 503 (try again later).
 */

/** Every manifest kind `docker push` and OCI tools write; a registry answers 404 for a tag whose manifest is of none of them. */
export const MANIFEST_MEDIA_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
] as const;

/** How long one registry request may take. */
export const REGISTRY_TIMEOUT_MS = 10_000;
/** Retry-After of a finalize the registry could not answer. */
const RETRY_AFTER_SECONDS = 5;

/**
 * The base URL of a registry given as `host[:port]`. Docker itself talks plain HTTP only to
 * registries on loopback addresses unless told otherwise, and HTTPS to every other one: so does this.
 */
export function registryBaseUrl(registry: string): string {
  const host = new URL(`http://${registry}`).hostname.replace(/^\[|\]$/g, '');
  const loopback = host === 'localhost' || host.endsWith('.localhost') || /^127\.\d+\.\d+\.\d+$/.test(host) || host === '::1';
  return `${loopback ? 'http' : 'https'}://${registry}`;
}

/**
 * The repository path of `imageRepository` on `registry` (`<registry>/<namespace>/airflow` →
 * `<namespace>/airflow`), or undefined when the repository is not on that registry (a deploy
 * opened while another registry, or none, was configured).
 */
export function repositoryOn(registry: string, imageRepository: string): string | undefined {
  const prefix = `${registry}/`;
  return imageRepository.startsWith(prefix) && imageRepository.length > prefix.length ? imageRepository.slice(prefix.length) : undefined;
}

/** Whether the registry holds `<name>:<tag>`; a 503 ApiError when it cannot say. */
export async function imageInRegistry(registry: string, name: string, tag: string): Promise<boolean> {
  const url = `${registryBaseUrl(registry)}/v2/${name}/manifests/${encodeURIComponent(tag)}`;
  const where = `the container registry ${registry} (ASTROLABE_REGISTRY)`;
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'HEAD',
      headers: { accept: MANIFEST_MEDIA_TYPES.join(', '), 'user-agent': 'astrolabe' },
      signal: AbortSignal.timeout(REGISTRY_TIMEOUT_MS),
    });
  } catch (err) {
    const timedOut = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
    const why = timedOut ? `did not answer within ${REGISTRY_TIMEOUT_MS / 1000} s` : 'could not be reached';
    throw unavailable(`Cannot finalize the deploy yet: ${where} ${why}, so whether image ${name}:${tag} was pushed is unknown; the deploy stays INITIALIZED, try again`, RETRY_AFTER_SECONDS, { cause: err });
  }
  if (res.status === 200) return true;
  if (res.status === 404) return false;
  const why = res.status === 401 || res.status === 403
    ? `asks for credentials (${res.status}); this server reads it anonymously, so it must allow anonymous pulls`
    : `answered ${res.status} to the manifest request`;
  throw unavailable(`Cannot finalize the deploy yet: ${where} ${why}, so whether image ${name}:${tag} was pushed is unknown; the deploy stays INITIALIZED, try again`, RETRY_AFTER_SECONDS);
}
