// Flat config: typescript-eslint's recommended rules over every TypeScript source; generated output ignored.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', 'cdk.out/**', '.data/**', 'test-artifacts/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  // Plain-JS entry points run on Node.
  { files: ['**/*.js'], languageOptions: { globals: { process: 'readonly', console: 'readonly' } } },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  // The IAM simulator the wiring tests use is AGPL-3.0: a devDependency for tests, never in a deployed bundle.
  // zod comes through functions/common/zod.ts only: one flavour (zod/mini) with its English messages installed.
  {
    files: ['functions/**', 'lib/**', 'shared/**', 'local/**', 'web/**', 'bin/**'],
    ignores: ['functions/common/zod.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@cloud-copilot/*'], message: 'AGPL-3.0 IAM simulator: tests only (test/infra).' },
            {
              group: ['zod', 'zod/*'],
              message: 'Import zod from functions/common/zod.ts (zod/mini with its English messages).',
            },
          ],
        },
      ],
    },
  },
);
