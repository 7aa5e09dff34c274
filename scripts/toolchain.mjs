// The toolchain: every external tool rcdebug uses, where to find it and how to install it.
// Plain Node with no dependencies, so it runs on a fresh clone before `npm ci`; shared by
// `npm test`, `npm run demo`, `.ci/run` and `rcdebug doctor`.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, accessSync, constants } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { iacTools } from './tools-iac.mjs';
import { serverTools, TEMPORAL_CLI_VERSION } from './tools-server.mjs';
import { gcpTools } from './tools-gcp.mjs';
import { azureTools } from './tools-azure.mjs';

export const cacheDir = process.env.RCDEBUG_CACHE ?? join(homedir(), '.cache', 'rcdebug');
export const binDir = join(cacheDir, 'bin');

export { TEMPORAL_CLI_VERSION };

/** Debian packages for the `local` cloud (kernel build, qemu guests, initramfs). */
export const APT_PACKAGES = [
  'linux-source-6.1', 'bc', 'bison', 'flex', 'libelf-dev', 'libssl-dev', 'qemu-system-x86',
  'busybox-static', 'cpio', 'kmod', 'xz-utils', 'python3', 'ccache', 'libxml2-utils', 'git',
];

/** The kernel source tarball Debian's linux-source-6.1 installs. */
export const KERNEL_SOURCE_TARBALL = '/usr/src/linux-source-6.1.tar.xz';

/** Finds an executable on PATH. */
export function which(name) {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const p = join(dir, name);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // not here
    }
  }
  return undefined;
}

function executable(p) {
  if (!p) return false;
  try {
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** First line of `<path> <args>` or undefined. */
export function versionOf(path, args) {
  const r = spawnSync(path, args, { encoding: 'utf8', timeout: 20_000 });
  if (r.status !== 0 && !r.stdout) return undefined;
  // Some tools print warnings before their version: prefer the first line with a version number.
  const lines = `${r.stdout ?? ''}\n${r.stderr ?? ''}`.split('\n').map((l) => l.trim()).filter(Boolean);
  return lines.find((l) => /\d+\.\d+/.test(l)) ?? lines[0];
}

export function run(cmd, args, opts = {}) {
  process.stderr.write(`rcdebug: $ ${[cmd, ...args].join(' ')}\n`);
  execFileSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'], ...opts });
}

/**
 * A tool: how to find it and how to install it.
 * find() returns { path, source } or undefined; install() puts it in the cache or fails.
 * @typedef {{ name: string, purpose: string, versionArgs: string[], env?: string,
 *   find: () => ({path: string, source: string} | undefined), install?: () => void, howToInstall: string,
 *   needed: string[] }} Tool
 */

/** Looks a binary up in order: $ENV, PATH, the cache. */
export function standardFind(name, envVar) {
  return () => {
    const fromEnv = envVar ? process.env[envVar] : undefined;
    if (fromEnv && executable(fromEnv)) return { path: fromEnv, source: `$${envVar}` };
    const onPath = which(name);
    if (onPath) return { path: onPath, source: 'PATH' };
    const cached = join(binDir, name);
    if (executable(cached)) return { path: cached, source: 'cache' };
    return undefined;
  };
}

function aptFind(bin) {
  return () => {
    const p = which(bin) ?? (existsSync(`/usr/sbin/${bin}`) ? `/usr/sbin/${bin}` : undefined) ?? (existsSync(`/sbin/${bin}`) ? `/sbin/${bin}` : undefined);
    return p ? { path: p, source: 'PATH' } : undefined;
  };
}

/** @type {Tool[]} */
export const tools = [
  {
    name: 'temporal',
    purpose: 'Temporal dev server (workflow engine, Web UI, schedules)',
    versionArgs: ['--version'],
    env: 'TEMPORAL_CLI',
    needed: ['test', 'demo', 'bench', 'dev'],
    find: standardFind('temporal', 'TEMPORAL_CLI'),
    install() {
      if (!which('go')) throw new Error('the Go toolchain is needed to build the temporal CLI: install Go (https://go.dev/dl) or set TEMPORAL_CLI');
      mkdirSync(binDir, { recursive: true });
      run('go', ['install', `github.com/temporalio/cli/cmd/temporal@${TEMPORAL_CLI_VERSION}`], {
        env: { ...process.env, GOBIN: binDir, GOFLAGS: '-buildvcs=false' },
        cwd: cacheDir,
      });
    },
    howToInstall: `GOBIN=${binDir} go install github.com/temporalio/cli/cmd/temporal@${TEMPORAL_CLI_VERSION}`,
  },
  ...[
    ['qemu-system-x86_64', 'qemu-system-x86', 'guests of the local cloud', ['--version']],
    ['busybox', 'busybox-static', 'userland of the local guests', ['--help']],
    ['cpio', 'cpio', 'initramfs images', ['--version']],
    ['bison', 'bison', 'kernel build', ['--version']],
    ['flex', 'flex', 'kernel build', ['--version']],
    ['bc', 'bc', 'kernel build', ['--version']],
    ['ccache', 'ccache', 'kernel build cache (optional)', ['--version']],
    ['xmllint', 'libxml2-utils', 'JUnit report schema check', ['--version']],
    ['python3', 'python3', 'kernel config verification', ['--version']],
    ['git', 'git', 'module checkout of validateMain', ['--version']],
    ['addr2line', 'binutils', 'source lines of stack frames (log-harvest)', ['--version']],
    ['nm', 'binutils', 'symbol addresses for source lines (log-harvest)', ['--version']],
    // Only the tests open the findings history page in a browser.
    ['chromium', 'chromium', 'headless browser for the findings history page test', ['--version'], ['test']],
    // The self-hosted engine tests and bench: test hosts (network namespaces, veth links),
    // mTLS certificates, PostgreSQL run unprivileged when the tests run as root.
    ['ip', 'iproute2', 'test hosts: network namespaces joined by veth pairs', ['-V'], ['test', 'bench']],
    ['openssl', 'openssl', 'test certificates for mutual TLS', ['version'], ['test', 'bench']],
    ['setpriv', 'util-linux', 'runs PostgreSQL unprivileged in tests run as root', ['--version'], ['test', 'bench']],
  ].map(([bin, pkg, purpose, versionArgs, needed = ['test', 'demo', 'bench']]) => ({
    name: bin,
    purpose,
    versionArgs,
    needed,
    find: aptFind(bin),
    apt: pkg,
    howToInstall: `sudo apt-get install -y ${pkg}`,
  })),
  {
    name: 'linux-source',
    purpose: 'kernel source for the local cloud',
    versionArgs: [],
    needed: ['test', 'demo', 'bench'],
    find: () => (existsSync(KERNEL_SOURCE_TARBALL) ? { path: KERNEL_SOURCE_TARBALL, source: 'apt' } : undefined),
    apt: 'linux-source-6.1',
    howToInstall: 'sudo apt-get install -y linux-source-6.1',
  },
  ...iacTools({ binDir, cacheDir, which, run, standardFind }),
  ...serverTools({ binDir, cacheDir, which, run, standardFind }),
  ...gcpTools({ binDir, cacheDir, which, run, standardFind }),
  ...azureTools({ binDir, cacheDir, which, run, standardFind }),
];

/** Installs the apt packages that are missing, when root; otherwise says what to run. */
export function ensureAptPackages(purpose) {
  const missing = tools.filter((t) => t.apt && t.needed.includes(purpose) && !t.find());
  if (missing.length === 0) return;
  const pkgs = [...new Set([...missing.map((t) => t.apt), ...APT_PACKAGES])];
  const isRoot = process.getuid?.() === 0;
  if (!isRoot || !which('apt-get')) {
    throw new Error(`missing: ${missing.map((t) => t.name).join(', ')}. Run:\n  sudo apt-get install -y ${pkgs.join(' ')}`);
  }
  run('apt-get', ['update', '-q']);
  run('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...pkgs], { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
}

/** Finds every tool needed for `purpose`, installing what is missing. Returns name → path. */
export async function ensureTools(purpose) {
  ensureAptPackages(purpose);
  const found = {};
  for (const tool of tools) {
    if (!tool.needed.includes(purpose)) continue;
    let hit = tool.find();
    if (!hit && tool.install) {
      tool.install();
      hit = tool.find();
    }
    if (!hit) throw new Error(`${tool.name} (${tool.purpose}) is missing. Install it with:\n  ${tool.howToInstall}`);
    found[tool.name] = hit.path;
  }
  return found;
}

/**
 * The one answer to "where is tool X": the path the tool table resolves ($ENV, PATH, the
 * rcdebug cache, with each tool's own acceptance rules), or an error saying how to install it.
 * Tests, the CLI, benches and `doctor` all ask here, so none can look in a place the bootstrap
 * did not install to.
 */
export function resolveTool(name) {
  const tool = tools.find((t) => t.name === name);
  if (!tool) throw new Error(`${name} is not in the tool table of scripts/toolchain.mjs`);
  const hit = tool.find();
  if (!hit) {
    throw new Error(`${name} (${tool.purpose}) is not installed: run \`node scripts/bootstrap.mjs test\`, or install it with:\n  ${tool.howToInstall}`);
  }
  return hit;
}

/** One row per tool for `rcdebug doctor`. */
export function describeTools() {
  return tools.map((t) => {
    const hit = t.find();
    return {
      name: t.name,
      purpose: t.purpose,
      path: hit?.path,
      source: hit?.source,
      version: hit && t.versionArgs.length ? versionOf(hit.path, t.versionArgs) : undefined,
      howToInstall: t.howToInstall,
    };
  });
}
