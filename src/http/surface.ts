import type { TSchema } from 'typebox';
import type { AnyOperation } from './operation.js';

/**
 * One API surface: a path prefix, the URLs its OpenAPI document is served at, the document's
 * info block and its operations. Each surface gets its own document and component registry, so
 * `/v1` and the older surfaces can each have a `Workspace` schema of their own.
 */
export interface Surface {
  name: string;
  prefix: string;
  specPaths: string[];
  info: { title: string; version: string; description: string };
  /**
   * Values of X-API-Version the surface accepts (absent header: the newest). Absent: the surface
   * has no versions and ignores the header (the older surfaces; their clients never send it).
   */
  apiVersions?: string[];
  operations: AnyOperation[];
  /** The documented error body, when the surface documents it differently (default: ErrorSchema). */
  errorSchema?: TSchema;
}
