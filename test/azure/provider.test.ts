// Steps of the azure provider on their own, against Azurite and the management-plane STAND-IN
// with the recording stand-ins of packer/terraform: caching, the kernel build's refusal of lost
// options, a VM size the region lacks, the reproducer written before the build.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blobText } from '../../activities/providers/azure/blob-artifacts';
import { kernelPrefix } from '../../activities/providers/azure/kernel-build';
import { UserError } from '../../src/domain/errors';
import { recordingIO, startRehearsal, stepContext, type Rehearsal } from './rehearsal';

let r: Rehearsal;
beforeAll(async () => {
  r = await startRehearsal();
}, 120_000);
afterAll(async () => {
  await r?.close();
});

const withFail = async <T>(fail: string, fn: () => Promise<T>): Promise<T> => {
  process.env.RCDEBUG_STANDIN_FAIL = fail;
  try {
    return await fn();
  } finally {
    delete process.env.RCDEBUG_STANDIN_FAIL;
  }
};
const packerBuilds = () => r.calls().filter((c) => c.tool === 'packer' && c.argv[0] === 'build').length;

describe('azure steps', () => {
  it('lost config options are a UserError naming the flavor fragments, with what verify-config.py said', async () => {
    const err = await withFail('packer:config', () => r.provider().kernelBuild({ ctx: stepContext(r, 'p-config') }, recordingIO())).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect(err).toMatchObject({ field: 'kernel/flavors/kasan' });
    expect((err as Error).message).toContain('CONFIG_KASAN_HW_TAGS');
  });

  it('a VM size the region does not offer is a UserError naming RCDEBUG_AZURE_VM_SIZE', async () => {
    const err = await withFail('packer:build', () => r.provider().kernelBuild({ ctx: stepContext(r, 'p-sku') }, recordingIO())).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect(err).toMatchObject({ field: 'RCDEBUG_AZURE_VM_SIZE' });
  });

  it('builds once, writes the reproducer first, and a second build of the same inputs is a cache hit that starts no VM', async () => {
    const before = packerBuilds();
    const first = await r.provider().kernelBuild({ ctx: stepContext(r, 'p-build') }, recordingIO());
    expect(first).toMatchObject({ cacheHit: false, kernelRelease: '6.8.0-1021-rcdebug-kasan' });
    expect(packerBuilds()).toBe(before + 1);
    const repro = await blobText(r.clients.blob!, 'rcdebug', `${kernelPrefix('kasan', first.digest)}packer-reproduce.sh`);
    expect(repro).toMatch(/packer build .*\/packer\/azure\/kernel-build\b/);
    const io = recordingIO();
    const again = await r.provider().kernelBuild({ ctx: stepContext(r, 'p-build-2') }, io);
    expect(again).toMatchObject({ cacheHit: true, digest: first.digest });
    expect(packerBuilds()).toBe(before + 1);
    expect(io.messages.join('\n')).toMatch(/cache hit in Blob Storage/);
  });

  it('an image bake of the same inputs under the same rc finds its gallery version and bakes nothing', async () => {
    const kernel = await r.provider().kernelBuild({ ctx: stepContext(r, 'p-bake') }, recordingIO());
    const first = await r.provider().imageBake({ ctx: stepContext(r, 'p-bake'), kernel }, recordingIO());
    expect(first.cacheHit).toBe(false);
    const builds = packerBuilds();
    const again = await r.provider().imageBake({ ctx: stepContext(r, 'p-bake-2'), kernel }, recordingIO());
    expect(again).toMatchObject({ cacheHit: true, imageId: first.imageId });
    expect(packerBuilds()).toBe(builds);
  });
});
