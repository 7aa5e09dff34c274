import { describe, expect, it } from 'vitest';
import { SDK_REFUSED, runRefusingSdk } from '../support/sdk-refusing';

// With the AWS SDK refused: what a worker without AWS credentials or packages would meet if
// loading a plugin pulled it in.
const runWithoutAwsSdk = (body: string) => runRefusingSdk('@aws-sdk/', body);

describe('plugins load their cloud SDK only when used', () => {
  it('loading every plugin and creating the local provider loads no AWS SDK', () => {
    const r = runWithoutAwsSdk(`
      const plugins = await loadPlugins();
      await (await loadPlugin('local')).createProvider();
      process.stdout.write(plugins.map((p) => p.cloud).join(','));
    `);
    expect(r.stderr).not.toContain(SDK_REFUSED);
    expect(r.code).toBe(0);
  });

  it('creating the aws provider does load it (the hook works)', () => {
    const r = runWithoutAwsSdk(`await (await loadPlugin('aws')).createProvider();`);
    expect(r.stderr).toContain(`${SDK_REFUSED}@aws-sdk/`);
    expect(r.code).not.toBe(0);
  });
});
