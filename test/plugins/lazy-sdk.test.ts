import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../src/domain/paths';

// A module hook that refuses the AWS SDK: what a worker without AWS credentials or packages
// would meet if loading a plugin pulled it in.
const hook = `export async function resolve(specifier, context, next) {
  if (specifier.startsWith('@aws-sdk/')) throw new Error('AWS SDK loaded: ' + specifier);
  return next(specifier, context);
}`;

/** Runs `body` in a fresh Node process with tsx and the hook; returns its exit code and stderr. */
function runWithoutAwsSdk(body: string): { code: number | null; stderr: string } {
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

describe('plugins load their cloud SDK only when used', () => {
  it('loading every plugin and creating the local provider loads no AWS SDK', () => {
    const r = runWithoutAwsSdk(`
      const plugins = await loadPlugins();
      await (await loadPlugin('local')).createProvider();
      process.stdout.write(plugins.map((p) => p.cloud).join(','));
    `);
    expect(r.stderr).not.toMatch(/AWS SDK loaded/);
    expect(r.code).toBe(0);
  });

  it('creating the aws provider does load it (the hook works)', () => {
    const r = runWithoutAwsSdk(`await (await loadPlugin('aws')).createProvider();`);
    expect(r.stderr).toMatch(/AWS SDK loaded: @aws-sdk\//);
    expect(r.code).not.toBe(0);
  });
});
