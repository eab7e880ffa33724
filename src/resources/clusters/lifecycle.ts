import { createHash } from 'node:crypto';
import type { AppContext } from '../../context.js';
import { conflict } from '../../core/errors.js';
import type { CloudProvider } from '../../core/schemas.js';
import { toBool } from '../../store/codecs.js';
import type { ClustersTable } from '../../store/schema.js';
import { storedTime } from '../../time.js';
import { addressAt, parseCidr } from '../../platform/cidr.js';
import { oidcIssuerUrl } from '../../platform/reserved.js';
import type * as repo from './repo.js';
import type { ClusterMetadataView, ClusterStatus } from './schema.js';

/*
 * The simulated infrastructure of a cluster: how long a change takes, the status it reads with
 * meanwhile, and the generated metadata. Nothing runs; the status is derived from stored times.
 */

export interface Lifecycle {
  status: ClusterStatus;
  failoverInProgress: boolean;
  isFailedOver: boolean;
}

/**
 * The lifecycle is derived at read time: a change stays in its pending status until
 * `pending_until`, then the cluster reads CREATED. While a failover is pending the cluster
 * still reports the side it is leaving.
 */
export function lifecycle(row: repo.ClusterRow, now: Date): Lifecycle {
  const pending = pendingStatus(row, now);
  const status = (pending ?? 'CREATED') as ClusterStatus;
  const failing = status === 'FAILING_OVER';
  const failedOver = toBool(row.is_failed_over);
  return { status, failoverInProgress: failing, isFailedOver: failing ? !failedOver : failedOver };
}

export function pendingStatus(row: repo.ClusterRow, now: Date): string | undefined {
  if (!row.pending_status || !row.pending_until) return undefined;
  return row.pending_until > storedTime(now) ? row.pending_status : undefined;
}

/**
 * Simulated but stable metadata: everything is derived from the cluster's id, so the same
 * cluster always shows the same values. External addresses come from 203.0.113.0/24 (reserved
 * for documentation, RFC 5737); the OIDC issuer is on its provider's host made unresolvable, with
 * the caller's tenantId or GCP project where the cluster names one (platform/reserved.ts).
 */
export function simulatedMetadata(c: { id: string; provider: CloudProvider; region: string; serviceSubnetRange?: string; providerAccount?: string; tenantId?: string }): ClusterMetadataView {
  const hash = createHash('sha256').update(c.id).digest();
  const hex = hash.toString('hex');
  const first = 1 + (hash[0]! % 254);
  const second = 1 + ((first + hash[1]! % 253) % 254);
  const service = c.serviceSubnetRange ? parseCidr(c.serviceSubnetRange) : undefined;
  return {
    externalIPs: [`203.0.113.${first}`, `203.0.113.${second}`],
    kubeDnsIp: service ? addressAt(service, 10) : '10.100.0.10',
    oidcIssuerUrl: oidcIssuerUrl(c.provider, c.region, {
      hex, azureTenant: c.tenantId, gcpProject: c.providerAccount || `astro-${hex.slice(0, 10)}`, gcpCluster: `astro-${c.id}`,
    }),
  };
}

/** Columns of a change that takes `provisionSeconds` to finish (nothing pending when 0). */
export function pending(app: AppContext, status: 'CREATING' | 'UPDATING' | 'FAILING_OVER', now: Date): Pick<ClustersTable, 'pending_status' | 'pending_until'> {
  const seconds = app.config.provisionSeconds;
  if (seconds <= 0) return { pending_status: null, pending_until: null };
  return { pending_status: status, pending_until: storedTime(new Date(now.getTime() + seconds * 1000)) };
}

export function assertIdle(row: repo.ClusterRow, now: Date): void {
  const busy = pendingStatus(row, now);
  if (busy) throw conflict(`The cluster is ${busy}; a change is already in progress, try again when it has finished`);
}

