// Lint rules that keep the layers apart. `npm run lint`; CI runs it before the tests.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { importX } from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';

/**
 * The resource families, each importing only families before it: the one direction of
 * src/resources/. A family that needs a later one is missing a rule above the families
 * (src/resources/cascades.ts) or a port (src/context.ts).
 */
const FAMILY_ORDER = [
  'ipranges', 'auditlogs', 'organizations', 'clusters', 'workspaces', 'logs', 'deployments', 'deploys',
  'envobjects', 'alerts', 'options', 'roles', 'tokens', 'users', 'teams',
];

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'data/', 'bench/results/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  importX.flatConfigs.typescript,
  {
    files: ['**/*.ts'],
    settings: { 'import-x/resolver-next': [createTypeScriptImportResolver()] },
    rules: {
      // No import cycles anywhere: start-up order and module boundaries stay obvious.
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'import-x/no-self-import': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
    },
  },
  // A family reaches into another only through its repository or service, and only into a
  // family before it in FAMILY_ORDER.
  ...FAMILY_ORDER.map((family, i) => ({
    files: [`src/resources/${family}/**/*.ts`],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          {
            regex: '^\\.\\./(?!\\.)[^/]+/(?!(repo|service)\\.js$)',
            message: 'Import another resource family only through its repo.js or service.js.',
          },
          ...(i + 1 < FAMILY_ORDER.length ? [{
            regex: `^\\.\\./(${FAMILY_ORDER.slice(i + 1).join('|')})/`,
            message: `${family} comes before these families (FAMILY_ORDER in eslint.config.js): it may not import them. A rule that needs them belongs above the families (src/resources/cascades.ts) or reaches them through a port (src/context.ts).`,
          }] : []),
        ],
      }],
    },
  })),
  {
    // Every folder of src/resources/ is a family of FAMILY_ORDER.
    files: ['src/resources/*/**/*.ts'],
    ignores: FAMILY_ORDER.map((f) => `src/resources/${f}/**`),
    rules: { 'no-restricted-syntax': ['error', { selector: 'Program', message: 'A new resource family: add it to FAMILY_ORDER in eslint.config.js.' }] },
  },
  {
    // The store and the platform data know nothing of HTTP or of resource families.
    files: ['src/store/**/*.ts', 'src/platform/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ regex: '/(resources|openapi)/', message: 'The store layer must not depend on resource families or the OpenAPI builder.' }],
      }],
    },
  },
  {
    // The core (errors, rules, shared schemas) sits below every layer, so it imports none of them.
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ regex: '^\\.\\./', message: 'src/core imports only its own modules and packages: every other layer builds on it.' }],
      }],
    },
  },
  {
    // Authentication and the HTTP pipeline reach what the families hold only through the ports
    // of the application context (src/context.ts), never by importing a family.
    files: ['src/auth/**/*.ts', 'src/http/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ regex: '(^|/)resources/', message: 'auth/ and http/ must not import resource families: declare a port (src/context.ts) and let the family implement it.' }],
      }],
    },
  },
  {
    // A migration sees the database as it was when it was written, not today's typed schema.
    files: ['src/store/migrations/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // The launcher and build scripts are plain Node.js.
    files: ['bin/**/*.js', 'eslint.config.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly' } },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
