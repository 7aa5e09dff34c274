/** The deployment manifest: types, validation and loading. */
export type { ClusterSpec, HelmDeployment, LocalModule, LocalNode, LocalSpec, LocalWorkload, Manifest } from './types';
export { validateManifest, type ManifestValidation } from './validate';
export { loadManifest, loadManifestOrThrow } from './load';
export { manifestSchema } from './schema';
