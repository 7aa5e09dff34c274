// Tools of the azure cloud, spread into the tool table of toolchain.mjs: the azure-arm packer
// plugin (built from the Go module proxy) and Azurite's Blob Storage emulator (the npm package
// of package.json's devDependencies, installed by `npm ci`).
import { accessSync, constants } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packerPluginTool } from './tools-iac.mjs';

// v2 tags of packer-plugin-azure are not served by the Go module proxy (its go.mod has no /v2
// path); v1.4.5 is, builds in about four minutes, and has the azure-arm builder with Compute
// Gallery publishing, trusted-launch settings and boot diagnostics.
export const PACKER_AZURE_PLUGIN_VERSION = 'v1.4.5';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

/** @returns {import('./toolchain.mjs').Tool[]} */
export function azureTools(ctx) {
  const azurite = join(repoRoot, 'node_modules', '.bin', 'azurite-blob');
  return [
    packerPluginTool(ctx, {
      name: 'packer-plugin-azure',
      purpose: 'azure-arm builder for packer: packer init and full validation offline',
      source: 'github.com/hashicorp/azure',
      module: 'github.com/hashicorp/packer-plugin-azure',
      version: PACKER_AZURE_PLUGIN_VERSION,
      // The v1.4.5 tag still calls itself `1.4.5-dev`, which `required_plugins` constraints refuse.
      ldflags: '-s -w -X github.com/hashicorp/packer-plugin-azure/version.VersionPrerelease=',
    }),
    {
      name: 'azurite-blob',
      purpose: 'Azure Blob Storage emulator (Azurite) for the azure rehearsal and its tests',
      versionArgs: ['--version'],
      env: 'RCDEBUG_AZURITE_BLOB',
      needed: ['test'],
      find() {
        const fromEnv = process.env.RCDEBUG_AZURITE_BLOB;
        for (const [path, source] of [[fromEnv, '$RCDEBUG_AZURITE_BLOB'], [azurite, 'node_modules (npm ci)']]) {
          if (!path) continue;
          try {
            accessSync(path, constants.X_OK);
            return { path, source };
          } catch {
            // not there
          }
        }
        return undefined;
      },
      install() {
        ctx.run('npm', ['ci', '--no-audit', '--no-fund'], { cwd: repoRoot });
      },
      howToInstall: `npm ci (azurite is a devDependency of ${repoRoot}/package.json)`,
    },
  ];
}
