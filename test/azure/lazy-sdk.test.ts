import { describe, expect, it } from 'vitest';
import { SDK_REFUSED, runRefusingSdk } from '../support/sdk-refusing';

// With the Azure SDK refused: what a worker of another cloud, without the Azure packages or
// credentials, would meet if loading the azure plugin pulled the SDK in.
const runWithoutAzureSdk = (body: string) => runRefusingSdk('@azure/', body);

describe('the azure plugin loads the Azure SDK only when used', () => {
  it('loading every plugin, reading the azure plugin\'s janitor commands and creating the local provider loads no Azure SDK', () => {
    const r = runWithoutAzureSdk(`
      await loadPlugins();
      const azure = await loadPlugin('azure');
      if (azure.janitorCommands.length === 0) throw new Error('no janitor commands');
      await (await loadPlugin('local')).createProvider();
    `);
    expect(r.stderr).not.toContain(SDK_REFUSED);
    expect(r.code).toBe(0);
  });

  it('creating the azure provider does load it (the hook works)', () => {
    const r = runWithoutAzureSdk(`await (await loadPlugin('azure')).createProvider();`);
    expect(r.stderr).toContain(`${SDK_REFUSED}@azure/`);
    expect(r.code).not.toBe(0);
  });
});
