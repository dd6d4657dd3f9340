import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  // farm-data/ is the quick start's repository root (examples/farm.config.yaml), copies of web/ among it.
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'farm-data/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'child_process', message: 'use node:child_process with argv arrays (execFile/spawn), never a shell' },
          ],
        },
      ],
    },
  },
  {
    // The browser scripts of the web pages (web/*.js) run in the page.
    files: ['web/**/*.js'],
    languageOptions: {
      sourceType: 'script',
      globals: { window: 'readonly', document: 'readonly', fetch: 'readonly', EventSource: 'readonly' },
    },
  },
);
