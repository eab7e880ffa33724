import type { Operation } from '../http/operation.js';
import { operations as organizations } from './organizations/routes.js';
import { operations as workspaces } from './workspaces/routes.js';
import { operations as options } from './options/routes.js';
import { operations as clusters } from './clusters/routes.js';

/** Every /v1 operation the server serves. A new resource family adds its list here. */
export const v1Operations: Operation[] = [
  ...organizations,
  ...workspaces,
  ...options,
  ...clusters,
];
