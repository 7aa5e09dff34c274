import type { CloudPlugin } from '../../plugin';
import { gcpJanitorCommands } from './janitor-commands';
import { gcpManifestRules } from './manifest-rules';

/**
 * The `gcp` cloud as a plugin. The provider and the janitor's sweep are imported when first
 * used, so loading the plugin does not load the Google SDKs.
 */
export const plugin: CloudPlugin = {
  cloud: 'gcp',
  async createProvider() {
    return (await import('./index')).createGcpProvider();
  },
  async extraActivities() {
    return (await import('./janitor-activity')).createGcpJanitorActivities();
  },
  manifestSection: { key: 'workloadCluster', purpose: 'the kubeadm cluster on a managed instance group that runs the debug image' },
  manifestRules: gcpManifestRules,
  doctorTools: ['packer', 'packer-plugin-googlecompute', 'tofu', 'helm', 'fake-gcs-server'],
  janitorCommands: gcpJanitorCommands,
};
