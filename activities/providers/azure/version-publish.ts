import type { StepIO, VersionPublishInput, VersionPublishOutput } from '../../../src/domain/contract';
import { publishVersion } from '../../steps/version-publish';
import { appConfigRegistry, REGISTRY_LABEL } from './appconfig-registry';
import type { AzureDeps } from './deps';
import { azure } from './errors';
import { parseVersionId } from './gallery';
import { TAG } from './names';
import { requireAppConfig } from './options';
import { withStep } from './step-context';

/** The registry key recording which rc and digest a gallery version number stands for. */
export function galleryVersionKey(flavor: string, version: string): string {
  return `/rcdebug/azure-gallery/${flavor}/${version}`;
}

/**
 * version-publish (azure): the shared step over the App Configuration registry, plus the
 * gallery version mapping (`Major.Minor.Patch` → rc and digest) recorded beside the record.
 */
export async function azureVersionPublish(input: VersionPublishInput, io: StepIO, deps: AzureDeps): Promise<VersionPublishOutput> {
  requireAppConfig(deps.options);
  return withStep(input.ctx, deps, async (s) => {
    const client = s.clients.appConfig!;
    const out = await publishVersion(input, io, appConfigRegistry(client, { tags: { [TAG.cycle]: input.ctx.cycleId } }));
    if (!/\/versions\/[^/]+$/i.test(input.image.imageId)) return out;
    const key = galleryVersionKey(input.ctx.flavor, parseVersionId(input.image.imageId).version);
    const value = JSON.stringify({ rc: input.ctx.rc, digest: input.image.digest, kernelRelease: input.kernel.kernelRelease });
    await azure(`App Configuration set ${key}`, () => client.setConfigurationSetting({ key, label: REGISTRY_LABEL, value, contentType: 'application/json', tags: { [TAG.cycle]: input.ctx.cycleId, [TAG.managed]: 'true' } }));
    return { ...out, paths: [...out.paths, key] };
  });
}
