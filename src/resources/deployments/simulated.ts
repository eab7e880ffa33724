import { createHash } from 'node:crypto';
import type { CloudProvider } from '../../core/schemas.js';
import { isAirflow3 } from '../../platform/catalog.js';
import { EXAMPLE_AWS_ACCOUNT, NIL_UUID, oidcIssuerUrl as reservedIssuer, unresolvable } from '../../platform/reserved.js';

/*
 * The simulated infrastructure of a Deployment: names, URLs, addresses and identities that a real
 * platform would assign. All of it is derived from stable ids, so a Deployment always shows the
 * same values; none of it points anywhere real. Hosts live under DOMAIN (`.localhost` names never
 * leave the machine); external addresses come from 198.51.100.0/24 (reserved for documentation,
 * RFC 5737); OIDC issuers and default identities use the reserved names and numbers of
 * platform/reserved.ts.
 */

export const DOMAIN = 'astrolabe.localhost';

const ADJECTIVES = [
  'amber', 'bright', 'silent', 'distant', 'radiant', 'frozen', 'golden', 'hidden', 'lunar', 'polar', 'swift', 'quiet',
  'spinning', 'violet', 'crimson', 'cosmic', 'ancient', 'stellar', 'dusty', 'glowing', 'orbital', 'faint', 'binary', 'solar',
  'eclipsed', 'twin', 'wandering', 'azure', 'silver', 'boreal', 'rising', 'hollow',
];
const NOUNS = [
  'nebula', 'quasar', 'comet', 'pulsar', 'meteor', 'orbit', 'galaxy', 'aurora', 'zenith', 'horizon', 'equinox', 'solstice',
  'planet', 'asteroid', 'corona', 'parallax', 'sextant', 'telescope', 'meridian', 'perihelion', 'satellite', 'nova', 'cluster', 'crater',
  'transit', 'umbra', 'eclipse', 'azimuth', 'declination', 'ecliptic', 'apogee', 'magnetar',
];

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** A Kubernetes namespace in Astro's style: two words and four digits, derived from the id. */
export function namespaceFor(deploymentId: string): string {
  const h = digest(`namespace:${deploymentId}`);
  return `${ADJECTIVES[h[0]! % ADJECTIVES.length]}-${NOUNS[h[1]! % NOUNS.length]}-${String(h.readUInt16BE(2) % 10000).padStart(4, '0')}`;
}

/** The path segment of a Deployment under its Organization's host. */
function shortId(deploymentId: string): string {
  const h = digest(`short:${deploymentId}`);
  let out = 'd';
  for (let i = 0; i < 7; i++) out += (h[i]! % 36).toString(36);
  return out;
}

export interface Urls {
  webServerIngressHostname: string;
  webServerUrl: string;
  webServerAirflowApiUrl: string;
  uiUrl: string;
  apiUrl: string;
  remoteApiUrl: string;
  imageRepository: string;
}

/**
 * Where a Deployment's images are pushed: `<registry>/<namespace>/airflow` on ASTROLABE_REGISTRY
 * when one is configured (no registry is bundled), else a name under DOMAIN that resolves nowhere.
 */
export function imageRepositoryFor(registry: string | undefined, organizationId: string, namespace: string): string {
  return registry ? `${registry}/${namespace}/airflow` : `images.${DOMAIN}/${organizationId}/${namespace}`;
}

export function urlsFor(organizationId: string, deploymentId: string, namespace: string, runtimeVersion: string, registry?: string): Urls {
  const host = `${organizationId}.${DOMAIN}`;
  const base = `${host}/${shortId(deploymentId)}`;
  const api = isAirflow3(runtimeVersion) ? 'api/v2' : 'api/v1';
  return {
    webServerIngressHostname: host,
    webServerUrl: base,
    webServerAirflowApiUrl: `${base}/${api}`,
    uiUrl: `https://${base}`,
    apiUrl: `https://${base}/${api}`,
    remoteApiUrl: `https://${base}/execution`,
    imageRepository: imageRepositoryFor(registry, organizationId, namespace),
  };
}

function address(seed: string, n: number): string[] {
  const h = digest(seed);
  const out: string[] = [];
  for (let i = 0; out.length < n; i++) {
    const ip = `198.51.100.${1 + (h[i % h.length]! + i * 37) % 254}`;
    if (!out.includes(ip)) out.push(ip);
  }
  return out;
}

/** Outbound addresses and OIDC issuer of a shared (STANDARD) cluster, stable per provider and region. */
export function sharedClusterMetadata(provider: CloudProvider, region: string): { externalIPs: string[]; oidcIssuerUrl: string } {
  const key = `shared:${provider}:${region}`;
  const hex = digest(key).toString('hex');
  const oidcIssuerUrl = reservedIssuer(provider, region, { hex, gcpProject: `astro-shared-${hex.slice(0, 8)}`, gcpCluster: `astro-shared-${region}` });
  return { externalIPs: address(key, 2), oidcIssuerUrl };
}

/** Outbound addresses and OIDC issuer of a cluster's disaster-recovery side. */
export function drMetadata(provider: CloudProvider, clusterId: string, drRegion: string): { externalIPs: string[]; oidcIssuerUrl: string } {
  const key = `dr:${clusterId}`;
  const hex = digest(key).toString('hex');
  const oidcIssuerUrl = reservedIssuer(provider, drRegion, { hex, gcpProject: `astro-${hex.slice(0, 10)}`, gcpCluster: `astro-${clusterId}-dr` });
  return { externalIPs: address(key, 2), oidcIssuerUrl };
}

/**
 * The workload identity Astro assigns when none is configured, in each provider's format: an IAM
 * role ARN (AWS), a service account e-mail (GCP), a managed identity resource id (Azure). The
 * account is the cluster's provider account when it has one (the caller's own); otherwise a
 * reserved one (platform/reserved.ts): AWS's documentation account, a GCP project on an
 * unresolvable domain, the nil subscription. The role, account and identity names tell the
 * Deployments' places apart.
 */
export function defaultWorkloadIdentity(provider: CloudProvider, place: string, namespace: string, providerAccount: string | null, dr = false): string {
  const suffix = dr ? '-dr' : '';
  if (provider === 'AWS') {
    const account = providerAccount && /^\d{12}$/.test(providerAccount) ? providerAccount : EXAMPLE_AWS_ACCOUNT;
    return `arn:aws:iam::${account}:role/AirflowS3Logs-${place}${suffix}`;
  }
  if (provider === 'GCP') {
    const domain = providerAccount ? `${providerAccount}.iam.gserviceaccount.com` : unresolvable(`astro-${digest(`account:${place}`).toString('hex').slice(0, 10)}.iam.gserviceaccount.com`);
    return `astro-${namespace}${suffix}@${domain}`;
  }
  const subscription = providerAccount && /^[0-9a-f-]{36}$/.test(providerAccount) ? providerAccount : NIL_UUID;
  return `/subscriptions/${subscription}/resourceGroups/astro-${place}${suffix}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${namespace}`;
}
