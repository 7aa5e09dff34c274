import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createActivities } from '../../activities';
import { loadPlugin, loadPlugins, parseClouds } from '../../activities/plugins';
import { preflight } from '../../activities/preflight';
import { CLOUDS } from '../../src/domain/contract';
import { isUserError } from '../../src/domain/errors';
import { repoRoot } from '../../src/domain/paths';
import { scriptedProvider } from '../support/scripted-provider';

describe('cloud plugins', () => {
  it('CLOUDS and the cloud folders are the same list, each folder with its plugin', async () => {
    const folders = readdirSync(join(repoRoot, 'activities', 'providers'), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
    expect([...folders].sort()).toEqual([...CLOUDS].sort());
    for (const plugin of await loadPlugins()) {
      expect(CLOUDS).toContain(plugin.cloud);
      expect(plugin.doctorTools.length).toBeGreaterThan(0);
      expect(new Set(plugin.manifestRules.map((r) => r.name)).size).toBe(plugin.manifestRules.length);
    }
  });

  it.each([
    { name: 'a cloud with no plugin', run: () => loadPlugin('nosuchcloud' as never), field: 'clouds' },
    { name: 'a cloud list with one unknown', run: async () => parseClouds('local,nosuchcloud'), field: '--clouds' },
  ])('refuses $name with a UserError naming the field and the clouds there are', async ({ run, field }) => {
    const err = await run().then(() => undefined, (e: unknown) => e);
    expect(isUserError(err), String(err)).toBe(true);
    expect((err as { field?: string }).field).toBe(field);
    expect((err as Error).message).toContain(CLOUDS.join(', '));
  });

  it('every cloud worker registers the cloud-neutral preflight next to its steps', () => {
    expect(createActivities(scriptedProvider()).preflight).toBe(preflight);
  });
});
