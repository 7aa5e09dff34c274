import { afterEach, describe, expect, it } from 'vitest';
import { envNumber } from '../../activities/env-number';
import { loadPlugin } from '../../activities/plugins';
import type { CloudName } from '../../src/domain/contract';
import { isUserError } from '../../src/domain/errors';

describe('numbers from the worker environment', () => {
  it.each([
    { raw: undefined, want: 60 },
    { raw: '', want: 60 },
    { raw: '90', want: 90 },
    { raw: '0.5', want: 0.5 },
  ])('$raw reads as $want', ({ raw, want }) => {
    expect(envNumber('X_SECONDS', 60, {}, { X_SECONDS: raw })).toBe(want);
  });

  it.each(['soon', '0', '-5', 'Infinity', '60s'])('%s is a UserError naming the variable', (raw) => {
    const err = (() => {
      try {
        envNumber('X_SECONDS', 60, {}, { X_SECONDS: raw });
      } catch (e) {
        return e;
      }
    })();
    expect(isUserError(err), String(err)).toBe(true);
    expect(err).toMatchObject({ field: 'X_SECONDS', message: `X_SECONDS=${JSON.stringify(raw)} is not a number above 0` });
  });

  it('a count must be whole', () => {
    expect(() => envNumber('KEEP', 5, { whole: true }, { KEEP: '2.5' })).toThrow('KEEP="2.5" is not a whole number above 0');
    expect(envNumber('KEEP', 5, { whole: true }, { KEEP: '3' })).toBe(3);
  });

  describe('a bad value stops the creation of the cloud, before any step', () => {
    const set: string[] = [];
    afterEach(() => {
      for (const name of set.splice(0)) delete process.env[name];
    });
    it.each<{ cloud: CloudName; name: string }>([
      { cloud: 'local', name: 'RCDEBUG_BOOT_TIMEOUT_S' },
      { cloud: 'aws', name: 'RCDEBUG_AWS_NODE_WAIT_SECONDS' },
      { cloud: 'azure', name: 'RCDEBUG_KMEMLEAK_WAIT_SECONDS' },
      { cloud: 'gcp', name: 'RCDEBUG_GCP_IMAGE_RETENTION' },
      { cloud: 'oci', name: 'RCDEBUG_OKE_WAIT_SECONDS' },
    ])('$cloud: $name', async ({ cloud, name }) => {
      process.env[name] = 'ten';
      set.push(name);
      const err = await (await loadPlugin(cloud)).createProvider().then(() => undefined, (e: unknown) => e);
      expect(isUserError(err), String(err)).toBe(true);
      expect((err as { field?: string }).field).toBe(name);
    });
  });
});
