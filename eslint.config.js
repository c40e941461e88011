import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// Capabilities talk to each other only through their index.ts (STYLE.md): a deep import such as
// '../vouchers/ledger.service.ts' from another capability is a lint error.
const capabilities = ['identity', 'organisation', 'seniors', 'vouchers', 'dispatch', 'care-plans', 'settlement', 'reports', 'jobs', 'audit', 'notifications', 'system', 'service-records', 'life-events', 'letters', 'privacy'];

export default tseslint.config(
  { ignores: ['node_modules/', 'data/', '.cache/', '.venv/', 'dist/', 'web/dist/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
    },
  },
  ...capabilities.map((name) => ({
    files: [`src/${name}/**/*.ts`],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: capabilities.filter((other) => other !== name).map((other) => ({
          group: [`../${other}/*`, `!../${other}/index.ts`],
          message: `Import ${other} only through ../${other}/index.ts`,
        })),
      }],
    },
  })),
  {
    files: ['scripts/**/*.ts', 'seed/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
);
