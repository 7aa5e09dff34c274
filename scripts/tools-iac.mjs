// Infrastructure-as-code tools (helm, packer, tofu) and the AWS emulator (moto): found or
// installed into the rcdebug cache. Extends the tool table of toolchain.mjs.
//
// Only package registries are reachable on CI machines, so the Go tools are built from the
// Go module proxy and moto comes from PyPI. Go's own caches (GOCACHE, GOMODCACHE) stay in
// their default places, so a second install after a cache wipe of ~/.cache/rcdebug only
// relinks, and nothing is ever written into the checkout.
import { execFileSync, spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';

export const HELM_VERSION = 'v3.22.0';
export const PACKER_VERSION = 'v1.16.0';
export const TOFU_VERSION = 'v1.12.6';
/** actionlint checks the example GitHub Actions workflows (examples/github-actions). */
export const ACTIONLINT_VERSION = 'v1.7.12';
// The Amazon plugin satisfies the templates' `~> 1.3` constraint; installed from a local build
// it also makes `packer init` and full `packer validate` work without reaching GitHub.
export const PACKER_AMAZON_PLUGIN_VERSION = 'v1.8.0';
// The Oracle plugin (oracle-oci builder) of the oci templates' `~> 1.0`: v1.0.4 is the newest
// tag the Go module proxy serves (v1.1.x answer 403), and it builds from it.
export const PACKER_ORACLE_PLUGIN_VERSION = 'v1.0.4';
// The same moto the AWS rehearsal tests were written against; a newer one may change
// emulated behaviour under them.
export const MOTO_VERSION = '5.2.1';

function isExecutable(p) {
  try {
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function requireGo(ctx, what, envVar) {
  if (!ctx.which('go')) {
    throw new Error(`the Go toolchain is needed to build ${what}: install Go (https://go.dev/dl) or set ${envVar} to an existing binary`);
  }
}

/**
 * Builds a Go command from inside its module's directory. packer and tofu carry `replace`
 * directives in go.mod, which `go install module@version` refuses; building in the module
 * directory honours them, with the module's own go.sum pinning every dependency.
 * `nice` runs the build at low priority (for the heavy ones).
 */
export function buildInModule(ctx, { module, version, pkg, out, ldflags, nice }) {
  const env = { ...process.env, GOFLAGS: '-buildvcs=false' };
  mkdirSync(ctx.binDir, { recursive: true });
  process.stderr.write(`rcdebug: $ go mod download -json ${module}@${version}\n`);
  const info = JSON.parse(execFileSync('go', ['mod', 'download', '-json', `${module}@${version}`], { env, cwd: ctx.cacheDir, encoding: 'utf8' }));
  if (!info.Dir) throw new Error(`go mod download ${module}@${version} gave no module directory: ${info.Error ?? 'unknown error'}`);
  // Build to a temporary name and rename, so an interrupted build never leaves a
  // half-written binary that find() would accept next time.
  const target = join(ctx.binDir, out);
  const partial = `${target}.partial`;
  rmSync(partial, { force: true });
  const args = ['build', '-trimpath', '-o', partial];
  if (ldflags) args.push('-ldflags', ldflags);
  args.push(pkg);
  // A heavy build (the Temporal server) runs at low priority: it must not starve the tests and
  // workers that share the machine.
  if (nice && ctx.which('nice')) ctx.run('nice', ['-n', '10', 'go', ...args], { env, cwd: info.Dir });
  else ctx.run('go', args, { env, cwd: info.Dir });
  renameSync(partial, target);
}

/**
 * Where packer looks for plugins: $PACKER_PLUGIN_PATH, else a directory in the rcdebug cache
 * (tests and workers set PACKER_PLUGIN_PATH to it so `packer init` finds the local build).
 */
export function packerPluginDir(cacheDir) {
  return process.env.PACKER_PLUGIN_PATH || join(cacheDir, 'packer-plugins');
}

/**
 * A packer plugin as a tool row: built from the Go module proxy in its module directory and
 * installed with `packer plugins install --path`, so `packer init` and full `packer validate`
 * find it without reaching GitHub. `source` is the plugin's address in the templates'
 * `required_plugins` (github.com/hashicorp/amazon, ...).
 * @param {{ name: string, purpose: string, source: string, module: string, version: string, ldflags?: string }} plugin
 */
export function packerPluginTool(ctx, { name, purpose, source, module, version, ldflags = '-s -w' }) {
  const short = source.split('/').pop();
  const find = () => {
    const dir = join(packerPluginDir(ctx.cacheDir), ...source.split('/'));
    const prefix = `packer-plugin-${short}_${version}_`;
    let names = [];
    try {
      names = readdirSync(dir);
    } catch {
      return undefined;
    }
    const bin = names.find((n) => n.startsWith(prefix) && !n.endsWith('_SHA256SUM'));
    return bin && isExecutable(join(dir, bin)) ? { path: join(dir, bin), source: `packer plugins, ${version}` } : undefined;
  };
  return {
    name,
    purpose,
    // Its `describe` prints one long JSON line; the version is in the file name (and source).
    versionArgs: [],
    needed: ['test'],
    find,
    install() {
      requireGo(ctx, `the packer plugin ${source}`, 'PACKER_PLUGIN_PATH');
      const packer = ctx.standardFind('packer', 'RCDEBUG_PACKER')();
      if (!packer) throw new Error(`packer is needed to install its plugin ${source}: install packer first`);
      const built = `${name}.build`;
      buildInModule(ctx, { module, version, pkg: '.', out: built, ldflags });
      // `plugins install --path` copies the binary under the name and checksum packer expects.
      ctx.run(packer.path, ['plugins', 'install', '--path', join(ctx.binDir, built), source], {
        env: { ...process.env, PACKER_PLUGIN_PATH: packerPluginDir(ctx.cacheDir), CHECKPOINT_DISABLE: '1' },
      });
      rmSync(join(ctx.binDir, built), { force: true });
    },
    howToInstall: `build ${module}@${version} in its module directory, then PACKER_PLUGIN_PATH=${packerPluginDir(ctx.cacheDir)} packer plugins install --path <binary> ${source}`,
  };
}

/** The moto server's virtualenv, inside the rcdebug cache. */
export function motoVenv(cacheDir) {
  return join(cacheDir, 'venv-moto');
}

/**
 * The moto version a moto_server script runs, asked of the Python interpreter on its shebang
 * line; undefined when that cannot be told (a shell shim, say, that picks its Python later).
 */
export function motoVersionOf(script) {
  let first = '';
  try {
    first = readFileSync(script, 'utf8').slice(0, 512).split('\n')[0] ?? '';
  } catch {
    return undefined;
  }
  const m = /^#!\s*(\S*python[\d.]*)\s*$/.exec(first);
  if (!m) return undefined;
  const r = spawnSync(m[1], ['-c', 'import importlib.metadata as m; print(m.version("moto"))'], { encoding: 'utf8', timeout: 20_000 });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

function motoFind(ctx) {
  return () => {
    const fromEnv = process.env.RCDEBUG_MOTO_SERVER;
    if (fromEnv && isExecutable(fromEnv)) return { path: fromEnv, source: '$RCDEBUG_MOTO_SERVER' };
    // The cache first: it holds the pinned version by construction.
    const cached = join(motoVenv(ctx.cacheDir), 'bin', 'moto_server');
    if (isExecutable(cached)) return { path: cached, source: 'cache' };
    // One found elsewhere only when it provably is the pinned version: the AWS tests were
    // written against that one's emulated behaviour.
    const onPath = ctx.which('moto_server');
    if (onPath && motoVersionOf(onPath) === MOTO_VERSION) return { path: onPath, source: `PATH, ${MOTO_VERSION}` };
    return undefined;
  };
}

/** `python3 -m venv` needs ensurepip, which Debian ships separately as python3-venv. */
function ensureVenvModule(ctx) {
  if (!ctx.which('python3')) throw new Error('python3 is needed for the moto AWS emulator: sudo apt-get install -y python3 python3-venv');
  const probe = spawnSync('python3', ['-c', 'import ensurepip, venv'], { encoding: 'utf8' });
  if (probe.status === 0) return;
  if (process.getuid?.() === 0 && ctx.which('apt-get')) {
    ctx.run('apt-get', ['install', '-y', '-q', '--no-install-recommends', 'python3-venv'], { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    return;
  }
  throw new Error('python3 cannot create virtual environments (no ensurepip): sudo apt-get install -y python3-venv');
}

function installMoto(ctx) {
  ensureVenvModule(ctx);
  const venv = motoVenv(ctx.cacheDir);
  // A venv left behind by an interrupted install may lack pip or moto; start over.
  if (existsSync(venv)) rmSync(venv, { recursive: true, force: true });
  mkdirSync(ctx.cacheDir, { recursive: true });
  ctx.run('python3', ['-m', 'venv', venv]);
  const pip = join(venv, 'bin', 'pip');
  ctx.run(pip, ['install', '--quiet', '--disable-pip-version-check', `moto[server]==${MOTO_VERSION}`]);
}

/**
 * @param {{ binDir: string, cacheDir: string, which: (name: string) => string | undefined,
 *   run: (cmd: string, args: string[], opts?: object) => void,
 *   standardFind: (name: string, envVar?: string) => () => ({path: string, source: string} | undefined) }} ctx
 * @returns {import('./toolchain.mjs').Tool[]}
 */
export function iacTools(ctx) {
  return [
    {
      name: 'helm',
      purpose: 'Helm charts: deploy step, chart lint in tests',
      versionArgs: ['version', '--short'],
      env: 'RCDEBUG_HELM',
      needed: ['test'],
      find: ctx.standardFind('helm', 'RCDEBUG_HELM'),
      install() {
        requireGo(ctx, 'helm', 'RCDEBUG_HELM');
        mkdirSync(ctx.binDir, { recursive: true });
        // helm's go.mod has no replace directives, so plain `go install` works.
        // Without the stamp a module build reports only "v3.22"; doctor should show the patch level.
        ctx.run('go', ['install', '-ldflags', `-s -w -X helm.sh/helm/v3/internal/version.version=${HELM_VERSION}`, `helm.sh/helm/v3/cmd/helm@${HELM_VERSION}`], {
          env: { ...process.env, GOBIN: ctx.binDir, GOFLAGS: '-buildvcs=false' },
          cwd: ctx.cacheDir,
        });
      },
      howToInstall: `GOBIN=${ctx.binDir} go install helm.sh/helm/v3/cmd/helm@${HELM_VERSION}`,
    },
    {
      name: 'packer',
      purpose: 'image-bake and kernel-build templates (aws)',
      versionArgs: ['version'],
      env: 'RCDEBUG_PACKER',
      needed: ['test'],
      find: ctx.standardFind('packer', 'RCDEBUG_PACKER'),
      install() {
        requireGo(ctx, 'packer', 'RCDEBUG_PACKER');
        buildInModule(ctx, {
          module: 'github.com/hashicorp/packer',
          version: PACKER_VERSION,
          pkg: '.',
          out: 'packer',
          ldflags: '-s -w',
        });
      },
      howToInstall: `cd "$(go mod download -json github.com/hashicorp/packer@${PACKER_VERSION} | sed -n 's/.*"Dir": "\\(.*\\)".*/\\1/p')" && GOFLAGS=-buildvcs=false go build -o ${join(ctx.binDir, 'packer')} .`,
    },
    packerPluginTool(ctx, {
      name: 'packer-plugin-amazon',
      purpose: 'amazon-ebs builder for packer: packer init and full validation offline',
      source: 'github.com/hashicorp/amazon',
      module: 'github.com/hashicorp/packer-plugin-amazon',
      version: PACKER_AMAZON_PLUGIN_VERSION,
    }),
    packerPluginTool(ctx, {
      name: 'packer-plugin-oracle',
      purpose: 'oracle-oci builder for packer: packer init and full validation of packer/oci offline',
      source: 'github.com/hashicorp/oracle',
      module: 'github.com/hashicorp/packer-plugin-oracle',
      version: PACKER_ORACLE_PLUGIN_VERSION,
    }),
    {
      name: 'actionlint',
      purpose: 'checks the example GitHub Actions workflows (examples/github-actions)',
      versionArgs: ['-version'],
      env: 'RCDEBUG_ACTIONLINT',
      needed: ['test'],
      find: ctx.standardFind('actionlint', 'RCDEBUG_ACTIONLINT'),
      install() {
        requireGo(ctx, 'actionlint', 'RCDEBUG_ACTIONLINT');
        buildInModule(ctx, {
          module: 'github.com/rhysd/actionlint',
          version: ACTIONLINT_VERSION,
          pkg: './cmd/actionlint',
          out: 'actionlint',
          // Without the stamp a module build calls itself "(devel)".
          ldflags: `-s -w -X github.com/rhysd/actionlint.version=${ACTIONLINT_VERSION}`,
          nice: true,
        });
      },
      howToInstall: `cd "$(go mod download -json github.com/rhysd/actionlint@${ACTIONLINT_VERSION} | sed -n 's/.*"Dir": "\\(.*\\)".*/\\1/p')" && GOFLAGS=-buildvcs=false go build -o ${join(ctx.binDir, 'actionlint')} ./cmd/actionlint`,
    },
    {
      name: 'tofu',
      purpose: 'cluster-provision stacks (OpenTofu, Terraform-compatible)',
      versionArgs: ['version'],
      env: 'RCDEBUG_TOFU',
      needed: ['test'],
      find: ctx.standardFind('tofu', 'RCDEBUG_TOFU'),
      install() {
        requireGo(ctx, 'tofu', 'RCDEBUG_TOFU');
        buildInModule(ctx, {
          module: 'github.com/opentofu/opentofu',
          version: TOFU_VERSION,
          pkg: './cmd/tofu',
          out: 'tofu',
          // A source build calls itself "1.12.6-dev" otherwise; `rcdebug doctor` and provider
          // constraints want the release number.
          ldflags: '-s -w -X github.com/opentofu/opentofu/version.dev=no',
        });
      },
      howToInstall: `cd "$(go mod download -json github.com/opentofu/opentofu@${TOFU_VERSION} | sed -n 's/.*"Dir": "\\(.*\\)".*/\\1/p')" && GOFLAGS=-buildvcs=false go build -o ${join(ctx.binDir, 'tofu')} ./cmd/tofu`,
    },
    {
      name: 'moto_server',
      purpose: 'AWS emulator (SSM, EC2, EKS, S3) for the aws rehearsal and its tests',
      versionArgs: [],
      env: 'RCDEBUG_MOTO_SERVER',
      needed: ['test'],
      find: motoFind(ctx),
      install() {
        installMoto(ctx);
      },
      howToInstall: `python3 -m venv ${motoVenv(ctx.cacheDir)} && ${join(motoVenv(ctx.cacheDir), 'bin', 'pip')} install 'moto[server]==${MOTO_VERSION}'`,
    },
  ];
}
