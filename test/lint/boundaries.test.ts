/**
 * The layer rule of eslint.config.js, run by ESLint itself on probe sources: an upward import
 * (domain → application/workflows/activities, activities → application/workflows, workflows →
 * activity code, one cloud → another) is an error; a downward one is not.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../src/domain/paths';

// Type-aware parsing needs files on disk; the boundary rule does not, so the probes are
// linted without it (and without the one rule that needs types).
const eslint = new ESLint({
  cwd: repoRoot,
  overrideConfig: {
    languageOptions: { parserOptions: { projectService: false, project: null } },
    rules: { '@typescript-eslint/no-floating-promises': 'off' },
  },
});

async function boundaryErrors(file: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(source, { filePath: join(repoRoot, file) });
  return (result?.messages ?? []).filter((m) => m.ruleId === '@typescript-eslint/no-restricted-imports').map((m) => m.message);
}

const clouds = readdirSync(join(repoRoot, 'activities', 'providers'), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
const [cloudA, cloudB] = clouds;

const upward = [
  { name: 'domain → application', file: 'src/domain/probe.ts', source: "import { x } from '../app/cli/output';\nexport const y = x;\n" },
  { name: 'domain → activities', file: 'src/domain/findings/probe.ts', source: "import { x } from '../../../activities/index';\nexport const y = x;\n" },
  { name: 'domain → workflows', file: 'src/domain/probe.ts', source: "import { x } from '../../workflows/profiles';\nexport const y = x;\n" },
  { name: 'domain → the Temporal client', file: 'src/domain/probe.ts', source: "import { Client } from '@temporalio/client';\nexport const y = Client;\n" },
  { name: 'activities → application', file: 'activities/probe.ts', source: "import { x } from '../src/app/worker/create-workers';\nexport const y = x;\n" },
  { name: 'activities → workflows', file: 'activities/probe.ts', source: "import { x } from '../workflows/profiles';\nexport const y = x;\n" },
  { name: 'workflows → activity code', file: 'workflows/probe.ts', source: "import { createActivities } from '../activities';\nexport const y = createActivities;\n" },
  { name: 'workflows → application', file: 'workflows/probe.ts', source: "import { x } from '../src/app/client/cycles';\nexport const y = x;\n" },
  { name: 'one cloud → another', file: `activities/providers/${cloudA}/probe.ts`, source: `import { x } from '../${cloudB}/index';\nexport const y = x;\n` },
];

const downward = [
  { name: 'application → everything below', file: 'src/app/probe.ts', source: "import { a } from '../../activities/index';\nimport { b } from '../../workflows/profiles';\nimport { c } from '../domain/contract';\nexport const y = [a, b, c];\n" },
  { name: 'activities → domain', file: 'activities/probe.ts', source: "import { c } from '../src/domain/contract';\nexport const y = c;\n" },
  { name: 'workflows → activity types', file: 'workflows/probe.ts', source: "import type { StepActivities } from '../activities';\nexport type Y = StepActivities;\n" },
  { name: 'a cloud → the cloud-neutral activities', file: `activities/providers/${cloudA}/probe.ts`, source: "import { x } from '../../index';\nexport const y = x;\n" },
];

describe('layer boundaries', () => {
  it('has at least two clouds to check against each other', () => {
    expect(clouds.length).toBeGreaterThanOrEqual(2);
  });

  it.each(upward)('refuses $name', async ({ file, source }) => {
    expect(await boundaryErrors(file, source)).toHaveLength(1);
  });

  it.each(downward)('allows $name', async ({ file, source }) => {
    expect(await boundaryErrors(file, source)).toEqual([]);
  });

  it('finds no upward import anywhere in the tree', async () => {
    const results = await eslint.lintFiles(['src', 'activities', 'workflows']);
    const upwardImports = results.flatMap((r) =>
      r.messages.filter((m) => m.ruleId === '@typescript-eslint/no-restricted-imports').map((m) => `${r.filePath}:${m.line}: ${m.message}`),
    );
    expect(results.length).toBeGreaterThan(100);
    expect(upwardImports).toEqual([]);
  }, 120_000);
});
