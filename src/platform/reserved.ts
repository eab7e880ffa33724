import type { CloudProvider } from '../core/schemas.js';

/*
 * Reserved names and numbers for the simulated infrastructure. What the server generates in the
 * format of a real cloud value (OIDC issuer URLs, IAM role ARNs, service accounts, managed
 * identities) keeps that format but uses only names and numbers set aside for examples, so none
 * of it names a real host or a real account:
 *   - host names are the provider's real host name followed by `.invalid`, a top-level domain
 *     that never resolves (RFC 2606, RFC 6761), so the value stays recognisable and leads nowhere;
 *   - an AWS account is 123456789012, the account id of AWS's own documentation examples;
 *   - an Azure subscription is the nil UUID (RFC 9562), which no subscription has.
 * The parts that tell one entity from another (ids, hashes, resource names) are derived from the
 * entity's id, so each keeps its values. Values a caller gave (a cluster's providerAccount or
 * tenantId) are the caller's own and are used as given.
 * External addresses come from the documentation ranges of RFC 5737 (clusters/lifecycle.ts and
 * deployments/simulated.ts choose theirs).
 */

export const RESERVED_TLD = 'invalid';

/** `host` made unresolvable: `oidc.eks.us-east-1.amazonaws.com` → `oidc.eks.us-east-1.amazonaws.com.invalid`. */
export function unresolvable(host: string): string {
  return `${host}.${RESERVED_TLD}`;
}

/** The AWS account id of AWS's documentation examples. */
export const EXAMPLE_AWS_ACCOUNT = '123456789012';

/** The nil UUID: no Azure subscription or tenant has it. */
export const NIL_UUID = '00000000-0000-0000-0000-000000000000';

/** A version-4-shaped UUID from 32 hex digits (a digest of an id), stable for the id. */
export function uuidFrom(hex: string): string {
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** How one simulated Kubernetes cluster is named in its provider's OIDC issuer URL. */
export interface IssuerNames {
  /** 64 hex digits derived from the cluster's identity. */
  hex: string;
  /** GCP: the project and the cluster name in the URL path. */
  gcpProject: string;
  gcpCluster: string;
  /** Azure: the tenant in the URL path (a caller's tenantId, or one derived from `hex`). */
  azureTenant?: string;
}

/**
 * The OIDC issuer URL of a simulated Kubernetes cluster in its provider's format (EKS, AKS, GKE),
 * on the provider's host made unresolvable.
 */
export function oidcIssuerUrl(provider: CloudProvider, region: string, n: IssuerNames): string {
  if (provider === 'AWS') return `https://${unresolvable(`oidc.eks.${region}.amazonaws.com`)}/id/${n.hex.slice(0, 32).toUpperCase()}`;
  if (provider === 'AZURE') return `https://${unresolvable(`${region}.oic.prod-aks.azure.com`)}/${n.azureTenant || uuidFrom(n.hex.slice(0, 32))}/${uuidFrom(n.hex.slice(32, 64))}/`;
  return `https://${unresolvable('container.googleapis.com')}/v1/projects/${n.gcpProject}/locations/${region}/clusters/${n.gcpCluster}`;
}
