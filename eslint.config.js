import tseslint from 'typescript-eslint';

const nodeBuiltins = [
  'assert', 'async_hooks', 'buffer', 'child_process', 'cluster', 'crypto', 'dgram', 'dns', 'events',
  'fs', 'fs/promises', 'http', 'http2', 'https', 'inspector', 'module', 'net', 'os', 'path', 'perf_hooks',
  'process', 'readline', 'stream', 'string_decoder', 'timers', 'tls', 'tty', 'url', 'util', 'v8', 'vm',
  'worker_threads', 'zlib',
];

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', '.rcdebug/**', 'kernel/**', 'test/histories/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // Forgetting to await an activity, a timer or a child process loses its failure.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Workflow code runs in Temporal's deterministic sandbox: no Node built-ins, no worker
    // or client SDK, and activities only as types.
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [
          ...nodeBuiltins.flatMap((name) => [
            { name, message: 'Workflow code must not use Node built-ins; do it in an activity.' },
            { name: `node:${name}`, message: 'Workflow code must not use Node built-ins; do it in an activity.' },
          ]),
          ...['activity', 'client', 'worker', 'testing'].map((pkg) => ({
            name: `@temporalio/${pkg}`,
            message: 'Workflow code may import only @temporalio/workflow and pure shared modules.',
          })),
        ],
        patterns: [
          { group: ['**/activities', '**/activities/**'], allowTypeImports: true,
            message: 'Import activities as types only (import type ...).' },
        ],
      }],
    },
  },
);
