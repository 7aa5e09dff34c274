import type { CloudPlugin } from '../../plugin';
import { awsJanitorCommands } from './janitor-commands';
import { awsManifestRules } from './manifest-rules';

/**
 * The `aws` cloud as a plugin. The provider and the janitor's sweep are imported when first
 * used, so loading the plugin does not load the AWS SDK.
 */
export const plugin: CloudPlugin = {
  cloud: 'aws',
  async createProvider() {
    return (await import('./index')).createAwsProvider();
  },
  async extraActivities() {
    return (await import('./janitor-activity')).createAwsJanitorActivities();
  },
  manifestSection: { key: 'workloadCluster', purpose: 'the EKS cluster that runs the debug image' },
  manifestRules: awsManifestRules,
  doctorTools: ['packer', 'packer-plugin-amazon', 'tofu', 'helm', 'moto_server'],
  janitorCommands: awsJanitorCommands,
};
