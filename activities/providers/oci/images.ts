/**
 * Custom images: the source OKE worker image checked before a build, the baked image checked
 * after (AVAILABLE, its freeform tags), images of a digest found for the cache.
 */
import type { Image } from 'oci-core/lib/model';
import { UserError } from '../../../src/domain/errors';
import type { OciClients } from './clients';
import { oci, ociMaybe } from './errors';

/** The freeform tag keys rcdebug puts on what it creates (OCI tag keys allow no ':'). */
export const TAG = { managed: 'rcdebug-managed', cycle: 'rcdebug-cycle', rc: 'rcdebug-rc', flavor: 'rcdebug-flavor', digest: 'rcdebug-digest' } as const;

/** The image, or a UserError naming `field` when it does not exist or is not AVAILABLE. */
export async function requireImage(c: OciClients, imageId: string, field: string): Promise<Image> {
  const res = await ociMaybe(`Compute GetImage ${imageId}`, () => c.compute.getImage({ imageId }));
  if (!res) throw new UserError(`the image ${imageId} does not exist (or the worker may not read it): check ${field}`, field);
  if (res.image.lifecycleState !== 'AVAILABLE') throw new UserError(`the image ${imageId} is ${res.image.lifecycleState}, not AVAILABLE: check ${field}`, field);
  return res.image;
}

/** Every image of the compartment, following opc-next-page. */
export async function listImages(c: OciClients, compartmentId: string): Promise<Image[]> {
  const out: Image[] = [];
  let page: string | undefined;
  do {
    const res = await oci(`Compute ListImages ${compartmentId}`, () => c.compute.listImages({ compartmentId, page, limit: 100 }), 'RCDEBUG_OCI_COMPARTMENT');
    out.push(...res.items);
    page = res.opcNextPage;
  } while (page);
  return out;
}

/** The newest AVAILABLE image tagged with `digest`, if any. */
export async function imageOfDigest(c: OciClients, compartmentId: string, digest: string): Promise<Image | undefined> {
  const mine = (await listImages(c, compartmentId)).filter((i) => i.lifecycleState === 'AVAILABLE' && i.freeformTags?.[TAG.digest] === digest);
  return mine.sort((a, b) => String(b.timeCreated).localeCompare(String(a.timeCreated)))[0];
}
