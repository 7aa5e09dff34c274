import { readdirSync } from 'node:fs';
import tseslint from 'typescript-eslint';

const nodeBuiltins = [
  'assert', 'async_hooks', 'buffer', 'child_process', 'cluster', 'crypto', 'dgram', 'dns', 'events',
  'fs', 'fs/promises', 'http', 'http2', 'https', 'inspector', 'module', 'net', 'os', 'path', 'perf_hooks',
  'process', 'readline', 'stream', 'string_decoder', 'timers', 'tls', 'tty', 'url', 'util', 'v8', 'vm',
  'worker_threads', 'zlib',
];

// The layers, top to bottom: the application (src/app: CLI, client, worker, dev server) →
// workflows and activities → the domain (src/domain). An import may only point down.
const upward = {
  app: { group: ['**/app', '**/app/**'], message: 'Only the application (src/app) may import the application: move what you need down into src/domain.' },
  workflows: { group: ['**/workflows', '**/workflows/**'], message: 'Only the application may import workflow code; share pure code through src/domain.' },
  activities: { group: ['**/activities', '**/activities/**'], message: 'Only the application may import activity code; share pure code through src/domain.' },
  activityTypes: { group: ['**/activities', '**/activities/**'], allowTypeImports: true, message: 'Workflow code imports activities as types only (import type ...).' },
  toolchain: { group: ['**/scripts/**'], message: 'The domain knows no tools; ask the toolchain from an activity or the application.' },
};

// Every cloud is one folder under activities/providers; none may reach into another's.
const clouds = readdirSync(new URL('./activities/providers', import.meta.url), { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name);

/** A boundary rule: the given patterns are errors (type-aware variant allows `import type` where asked). */
function forbid(patterns, paths = []) {
  return { '@typescript-eslint/no-restricted-imports': ['error', { paths, patterns }] };
}

const temporalOutsideWorkflows = ['activity', 'client', 'worker', 'testing'].map((pkg) => ({
  name: `@temporalio/${pkg}`,
  message: 'Workflow and domain code may import only @temporalio/workflow and pure shared modules.',
}));

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
    files: ['src/domain/**/*.ts'],
    rules: forbid([upward.app, upward.workflows, upward.activities, upward.toolchain], temporalOutsideWorkflows),
  },
  {
    // Workflow code runs in Temporal's deterministic sandbox: no Node built-ins, no worker
    // or client SDK, and activities only as types.
    files: ['workflows/**/*.ts'],
    rules: forbid(
      [upward.app, upward.activityTypes, upward.toolchain],
      [
        ...nodeBuiltins.flatMap((name) => [
          { name, message: 'Workflow code must not use Node built-ins; do it in an activity.' },
          { name: `node:${name}`, message: 'Workflow code must not use Node built-ins; do it in an activity.' },
        ]),
        ...temporalOutsideWorkflows,
      ],
    ),
  },
  {
    files: ['activities/**/*.ts'],
    rules: forbid([upward.app, upward.workflows]),
  },
  ...clouds.map((cloud) => ({
    files: [`activities/providers/${cloud}/**/*.ts`],
    rules: forbid([
      upward.app,
      upward.workflows,
      ...clouds.filter((c) => c !== cloud).map((other) => ({
        group: [`**/providers/${other}`, `**/providers/${other}/**`, `../${other}`, `../${other}/**`],
        message: 'A cloud folder does not reach into another cloud; move what both need into the cloud-neutral activities.',
      })),
    ]),
  })),
);
