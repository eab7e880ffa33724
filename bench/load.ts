// One autocannon run against one URL. Latency percentiles come from autocannon's per-response
// timings (sub-millisecond), not its histogram, which only has whole milliseconds.
import autocannon from 'autocannon';

export interface LoadOptions {
  seconds: number;
  connections: number;
  headers: Record<string, string>;
  /** POST with this JSON body instead of GET. */
  post?: string;
}

export interface LoadResult {
  reqPerSec: number;
  p50Ms: number;
  p99Ms: number;
  responses: number;
  /** Any non-2xx response or error (timeouts included) makes the benchmark fail. */
  non2xx: number;
  errors: number;
  statusCodes: Record<string, number>;
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export function runLoad(url: string, o: LoadOptions): Promise<LoadResult> {
  const times: number[] = [];
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url, duration: o.seconds, connections: o.connections, headers: o.headers, timeout: 10,
        ...(o.post !== undefined ? { method: 'POST' as const, body: o.post } : {}),
      },
      (err, r) => {
        if (err) return reject(err);
        const sorted = Float64Array.from(times).sort();
        const statusCodes = Object.fromEntries(Object.entries(r.statusCodeStats).map(([k, v]) => [k, v.count]));
        resolve({
          reqPerSec: r.requests.average,
          p50Ms: percentile(sorted, 50),
          p99Ms: percentile(sorted, 99),
          responses: times.length,
          non2xx: r.non2xx,
          errors: r.errors, // includes timeouts
          statusCodes,
        });
      },
    );
    instance.on('response', (_client: unknown, _status: number, _bytes: number, ms: number) => times.push(ms));
  });
}
