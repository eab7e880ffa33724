// Lint rules that keep the layers apart. `npm run lint`; CI runs it before the tests.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { importX } from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';

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
  {
    // A resource family reaches into another only through its repository or service.
    files: ['src/resources/*/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{
          regex: '^\\.\\./(?!\\.)[^/]+/(?!(repo|service)\\.js$)',
          message: 'Import another resource family only through its repo.js or service.js.',
        }],
      }],
    },
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
