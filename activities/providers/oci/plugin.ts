import type { CloudPlugin } from '../../plugin';
import { ociJanitorCommands } from './janitor-commands';
import { ociManifestRules } from './manifest-rules';

/**
 * The `oci` cloud as a plugin. The provider and the janitor's sweep are imported when first
 * used, so loading the plugin does not load the OCI SDK.
 */
export const plugin: CloudPlugin = {
  cloud: 'oci',
  async createProvider() {
    return (await import('./index')).createOciProvider();
  },
  async extraActivities() {
    return (await import('./janitor')).createOciJanitorActivities();
  },
  manifestSection: { key: 'workloadCluster', purpose: 'the OKE cluster whose node pool runs the debug image' },
  manifestRules: ociManifestRules,
  doctorTools: ['packer', 'packer-plugin-oracle', 'tofu', 'helm'],
  janitorCommands: ociJanitorCommands,
};
