/** The Compute Gallery of the debug images: one image definition per flavor, versions named by ./gallery-version. */
import type { GalleryImageVersion } from '@azure/arm-compute';
import { InfraError } from '../../../src/domain/errors';
import type { AzureClients } from './config';
import { azure, azureMaybe } from './errors';
import type { AzureProviderOptions } from './options';
import { TAG } from './names';

/** The image definition of a flavor. */
export function imageDefinition(flavor: string): string {
  return `rcdebug-${flavor}`;
}

/** The parts of a gallery image version resource id. */
export function parseVersionId(id: string): { resourceGroup: string; gallery: string; image: string; version: string } {
  const m = /\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Compute\/galleries\/([^/]+)\/images\/([^/]+)\/versions\/([^/]+)$/i.exec(id);
  if (!m) throw new InfraError(`${id} is not a gallery image version id`);
  return { resourceGroup: m[1]!, gallery: m[2]!, image: m[3]!, version: m[4]! };
}

/** Fails with a UserError naming RCDEBUG_AZURE_GALLERY when the gallery or the flavor's image definition does not exist. */
export async function requireImageDefinition(clients: AzureClients, opts: AzureProviderOptions, flavor: string): Promise<void> {
  const image = imageDefinition(flavor);
  await azure(`Compute Gallery image ${opts.resourceGroup}/${opts.gallery}/${image} (RCDEBUG_AZURE_GALLERY; create it as docs/azure.md says)`, () =>
    clients.compute.galleryImages.get(opts.resourceGroup, opts.gallery, image));
}

/** A gallery image version, or undefined when it does not exist. */
export function getVersion(clients: AzureClients, opts: AzureProviderOptions, flavor: string, version: string): Promise<GalleryImageVersion | undefined> {
  return azureMaybe(`Compute Gallery image version ${opts.gallery}/${imageDefinition(flavor)}/${version}`, () =>
    clients.compute.galleryImageVersions.get(opts.resourceGroup, opts.gallery, imageDefinition(flavor), version));
}

/** True when the version is usable and carries the digest. */
export function versionMatches(v: GalleryImageVersion | undefined, digest: string): boolean {
  return Boolean(v && v.tags?.[TAG.digest] === digest && (v.provisioningState ?? 'Succeeded') === 'Succeeded');
}
