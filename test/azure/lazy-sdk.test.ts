import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../src/domain/paths';

// A module hook that refuses the Azure SDK: what a worker of another cloud, without the Azure
// packages or credentials, would meet if loading the azure plugin pulled the SDK in.
const hook = `export async function resolve(specifier, context, next) {
  if (specifier.startsWith('@azure/')) throw new Error('Azure SDK loaded: ' + specifier);
  return next(specifier, context);
}`;

function runWithoutAzureSdk(body: string): { code: number | null; stderr: string } {
  const script = `
    import { register } from 'node:module';
    import { register as tsx } from 'tsx/esm/api';
    tsx();
    register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(hook)}));
    const { loadPlugin, loadPlugins } = await import('./activities/plugins.ts');
    ${body}
  `;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: repoRoot, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stderr: r.stderr };
}

describe('the azure plugin loads the Azure SDK only when used', () => {
  it('loading every plugin, reading the azure plugin\'s janitor commands and creating the local provider loads no Azure SDK', () => {
    const r = runWithoutAzureSdk(`
      await loadPlugins();
      const azure = await loadPlugin('azure');
      if (azure.janitorCommands.length === 0) throw new Error('no janitor commands');
      await (await loadPlugin('local')).createProvider();
    `);
    expect(r.stderr).not.toMatch(/Azure SDK loaded/);
    expect(r.code).toBe(0);
  });

  it('creating the azure provider does load it (the hook works)', () => {
    const r = runWithoutAzureSdk(`await (await loadPlugin('azure')).createProvider();`);
    expect(r.stderr).toMatch(/Azure SDK loaded: @azure\//);
    expect(r.code).not.toBe(0);
  });
});
