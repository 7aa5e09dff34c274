import { spawnSync } from 'node:child_process';
import { repoRoot } from '../../src/domain/paths';

/** What the hook of `runRefusingSdk` throws with, followed by the refused specifier. */
export const SDK_REFUSED = 'cloud SDK loaded: ';

/**
 * Runs `body` in a fresh Node process with tsx, `loadPlugin` and `loadPlugins` of
 * activities/plugins.ts in scope, and a module hook that refuses every specifier starting with
 * `prefix`: what a worker of another cloud, without that SDK's packages or credentials, would
 * meet if loading a plugin pulled the SDK in. Returns the exit code and stderr.
 */
export function runRefusingSdk(prefix: string, body: string): { code: number | null; stderr: string } {
  const hook = `export async function resolve(specifier, context, next) {
  if (specifier.startsWith(${JSON.stringify(prefix)})) throw new Error(${JSON.stringify(SDK_REFUSED)} + specifier);
  return next(specifier, context);
}`;
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
