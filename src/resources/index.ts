import type { Surface } from '../http/surface.js';
import { operations as organizations } from './organizations/routes.js';
import { operations as workspaces } from './workspaces/routes.js';
import { operations as options } from './options/routes.js';
import { operations as clusters } from './clusters/routes.js';
import { operations as deployments } from './deployments/routes.js';
import { operations as tokens } from './tokens/routes.js';
import { operations as ipRanges } from './ipranges/routes.js';
import { operations as logs } from './logs/routes.js';

/** The Astro API v1 surface. A new resource family adds its operations here. */
export const v1Surface: Surface = {
  name: 'v1',
  prefix: '/v1',
  specPaths: ['/spec/v1', '/spec/v1.0'],
  info: {
    title: 'Astrolabe — Astro API v1',
    version: 'v1.0',
    description: 'A self-hosted server speaking the Astro API v1: organizations, workspaces, clusters, Deployments and more.',
  },
  apiVersions: ['1', '1.0'],
  operations: [...organizations, ...workspaces, ...options, ...clusters, ...deployments, ...tokens, ...ipRanges, ...logs],
};

/** Every surface the server serves. */
export const surfaces: Surface[] = [v1Surface];
