import type { CloudPlugin } from '../../plugin';
import { azureJanitorCommands } from './janitor-commands';
import { azureManifestRules } from './manifest-rules';

/**
 * The `azure` cloud as a plugin. The provider is imported when first used, so loading the
 * plugin does not load the Azure SDK.
 */
export const plugin: CloudPlugin = {
  cloud: 'azure',
  async createProvider() {
    return (await import('./index')).createAzureProvider();
  },
  async extraActivities() {
    return (await import('./janitor-activity')).createAzureJanitorActivities();
  },
  manifestSection: { key: 'workloadCluster', purpose: 'the kubeadm cluster on a scale set that runs the debug image (the cpCluster runs on AKS)' },
  manifestRules: azureManifestRules,
  doctorTools: ['packer', 'packer-plugin-azure', 'tofu', 'helm', 'azurite-blob'],
  janitorCommands: azureJanitorCommands,
};
