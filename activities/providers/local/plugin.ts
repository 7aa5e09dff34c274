import type { CloudPlugin } from '../../plugin';
import { localManifestRules } from './manifest-rules';

/** The `local` cloud as a plugin: qemu nodes on this machine, its manifest section and tools. */
export const plugin: CloudPlugin = {
  cloud: 'local',
  async createProvider() {
    return (await import('./index')).createLocalProvider();
  },
  manifestSection: { key: 'local', purpose: 'the qemu nodes and the modules they load' },
  manifestRules: localManifestRules,
  doctorTools: ['qemu-system-x86_64', 'busybox', 'cpio', 'bison', 'flex', 'bc', 'ccache', 'python3', 'linux-source'],
};
