// Tools of the gcp cloud: fake-gcs-server (the Cloud Storage emulator the gcp tests and the
// dry rehearsal start on loopback) and the googlecompute packer plugin. Both are Go modules
// built from the Go module proxy into the rcdebug cache. Extends the tool table of toolchain.mjs.
import { join } from 'node:path';
import { buildInModule, packerPluginTool } from './tools-iac.mjs';

export const FAKE_GCS_SERVER_VERSION = 'v1.56.1';
// The templates' `~> 1.1` constraint; a local build makes `packer init` and full
// `packer validate` work without reaching GitHub.
export const PACKER_GOOGLECOMPUTE_PLUGIN_VERSION = 'v1.1.6';

/**
 * @param {{ binDir: string, cacheDir: string, which: (name: string) => string | undefined,
 *   run: (cmd: string, args: string[], opts?: object) => void,
 *   standardFind: (name: string, envVar?: string) => () => ({path: string, source: string} | undefined) }} ctx
 * @returns {import('./toolchain.mjs').Tool[]}
 */
export function gcpTools(ctx) {
  return [
    {
      name: 'fake-gcs-server',
      purpose: 'Cloud Storage emulator for the gcp tests and dry rehearsal',
      versionArgs: [],
      env: 'RCDEBUG_FAKE_GCS_SERVER',
      needed: ['test'],
      find: ctx.standardFind('fake-gcs-server', 'RCDEBUG_FAKE_GCS_SERVER'),
      install() {
        if (!ctx.which('go')) throw new Error('the Go toolchain is needed to build fake-gcs-server: install Go (https://go.dev/dl) or set RCDEBUG_FAKE_GCS_SERVER');
        buildInModule(ctx, {
          module: 'github.com/fsouza/fake-gcs-server',
          version: FAKE_GCS_SERVER_VERSION,
          pkg: '.',
          out: 'fake-gcs-server',
          ldflags: '-s -w',
        });
      },
      howToInstall: `cd "$(go mod download -json github.com/fsouza/fake-gcs-server@${FAKE_GCS_SERVER_VERSION} | sed -n 's/.*"Dir": "\\(.*\\)".*/\\1/p')" && GOFLAGS=-buildvcs=false go build -o ${join(ctx.binDir, 'fake-gcs-server')} .`,
    },
    googlecomputePluginTool(ctx),
  ];
}

/** The googlecompute plugin row (built in 3m39s at load 13 on 2 cores: in the default install). */
export function googlecomputePluginTool(ctx) {
  return packerPluginTool(ctx, {
    name: 'packer-plugin-googlecompute',
    purpose: 'googlecompute builder for packer: full validation of packer/gcp offline',
    source: 'github.com/hashicorp/googlecompute',
    module: 'github.com/hashicorp/packer-plugin-googlecompute',
    version: PACKER_GOOGLECOMPUTE_PLUGIN_VERSION,
  });
}
