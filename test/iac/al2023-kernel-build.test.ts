/**
 * kernel/aws/build-al2023-kernel.sh runs on an AL2023 builder instance, which tests cannot
 * have. Here it runs for real against stand-ins of the builder's commands (dnf, rpm,
 * rpmbuild, make, aws, curl, uname) and a fake kernel tree, with the repository's real flavor
 * fragments and the real verify-config.py: what it uploads, in which order, and how it fails.
 */
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { repoRoot } from '../../src/domain/paths';
import { runTool } from './real-tool';

const script = join(repoRoot, 'kernel', 'aws', 'build-al2023-kernel.sh');
const NVR = 'kernel6.12-6.12.40-63.114.amzn2023';

/** The builder's commands: each records its call, and does the least that makes the next step possible. */
const standIns: Record<string, string> = {
  uname: `[ "$1" = -r ] && echo 6.12.40-63.114.amzn2023.x86_64 && exit 0; exec /bin/uname "$@"`,
  curl: `case "$*" in *api/token*) echo token ;; *ami-id*) echo ami-0fedcba9876543210 ;; esac`,
  rpm: `case "$1" in
  -qf) echo ${NVR} ;;
  -i) top=\${3#_topdir }; mkdir -p "$top/SPECS"; echo 'Name: kernel6.12' > "$top/SPECS/kernel.spec" ;;
esac`,
  dnf: `[ "$1" = download ] && touch ${NVR}.src.rpm; exit 0`,
  rpmbuild: `top=\${4#_topdir }; mkdir -p "$top/BUILD/kernel-6.12.40"; cp -r "$FAKE_TREE" "$top/BUILD/kernel-6.12.40/linux-6.12.40"`,
  make: `for a in "$@"; do case "$a" in O=*) out=\${a#O=} ;; esac; done
case "$*" in
  *kernelversion*) echo 6.12.40 ;;
  *olddefconfig*) [ -n "$DROP_OPTION" ] && sed -i "/^$DROP_OPTION=/d" "$out/.config"; exit 0 ;;
  *kernelrelease*) echo 6.12.40-rcdebug.kasan ;;
  *binrpm-pkg*) mkdir -p "$out/rpmbuild/RPMS/x86_64"; touch "$out/rpmbuild/RPMS/x86_64/kernel-6.12.40_rcdebug.kasan-1.x86_64.rpm" "$out/rpmbuild/RPMS/x86_64/kernel-headers-6.12.40_rcdebug.kasan-1.x86_64.rpm"; echo vmlinux > "$out/vmlinux" ;;
esac`,
  zstd: `while [ $# -gt 0 ]; do case "$1" in -o) out=$2; shift 2 ;; -*) shift ;; *) in=$1; shift ;; esac; done; cp "$in" "$out"`,
  // aws s3 cp [--only-show-errors] [--recursive] SRC s3://bucket/key -> $FAKE_S3/bucket/key
  aws: `args=; rec=; for a in "$@"; do case "$a" in --recursive) rec=1 ;; --*|s3|cp) ;; *) args="$args $a" ;; esac; done
set -- $args; dst=$FAKE_S3/\${2#s3://}
echo "\${2#s3://}" >> "$FAKE_S3/uploads.log"
if [ -n "$rec" ]; then mkdir -p "$dst"; cp -r "$1"/. "$dst"; else mkdir -p "$(dirname "$dst")"; cp "$1" "$dst"; fi`,
};

/** The fake kernel tree: the two kconfig helpers the script calls, and the files that mark a tree. */
function writeFakeTree(dir: string) {
  mkdirSync(join(dir, 'arch', 'x86'), { recursive: true });
  mkdirSync(join(dir, 'scripts', 'kconfig'), { recursive: true });
  for (const f of ['Kbuild', 'arch/x86/Kbuild', 'Makefile']) writeFileSync(join(dir, f), '');
  writeFileSync(join(dir, 'Kconfig'), 'mainmenu "fake"\n');
  const config = join(dir, 'scripts', 'config');
  writeFileSync(config, `#!/bin/sh
while [ $# -gt 0 ]; do case "$1" in
  --file) f=$2; shift 2 ;;
  --set-str) echo "CONFIG_$2=\\"$3\\"" >> "$f"; shift 3 ;;
  --disable) echo "# CONFIG_$2 is not set" >> "$f"; shift 2 ;;
  *) shift ;;
esac; done
`);
  const merge = join(dir, 'scripts', 'kconfig', 'merge_config.sh');
  // -m -O OUT BASE FRAGMENT...: the later line of an option wins, as in the real one.
  writeFileSync(merge, '#!/bin/sh\nout=$3; shift 4; cat "$@" >> "$out/.config"\n');
  chmodSync(config, 0o755);
  chmodSync(merge, 0o755);
}

let dir: string;
let s3: string;
function setup() {
  dir = mkdtempSync(join(tmpdir(), 'rcdebug-al2023-build-'));
  s3 = join(dir, 's3');
  mkdirSync(join(dir, 'bin'));
  mkdirSync(s3);
  mkdirSync(join(dir, 'home'));
  for (const [name, body] of Object.entries(standIns)) {
    writeFileSync(join(dir, 'bin', name), `#!/bin/sh\n${body}\n`);
    chmodSync(join(dir, 'bin', name), 0o755);
  }
  writeFakeTree(join(dir, 'tree'));
  writeFileSync(join(dir, 'base.config'), 'CONFIG_64BIT=y\nCONFIG_MODULES=y\n');
  // The kernel/ directory as the template uploads it.
  cpSync(join(repoRoot, 'kernel'), join(dir, 'kernel'), { recursive: true, filter: (src) => !src.includes('/examples/') });
}

function build(env: Record<string, string> = {}) {
  return runTool('bash', [script], {
    env: {
      PATH: `${join(dir, 'bin')}:${process.env.PATH ?? ''}`,
      HOME: join(dir, 'home'),
      FAKE_TREE: join(dir, 'tree'),
      FAKE_S3: s3,
      RCDEBUG_BUCKET: 'artifacts',
      RCDEBUG_FLAVOR: 'kasan',
      RCDEBUG_DIGEST: 'kd0123456789',
      RCDEBUG_CYCLE_ID: 'cycle-1',
      RCDEBUG_RC: 'v1.4.0-rc2',
      RCDEBUG_KERNEL_DIR: join(dir, 'kernel'),
      RCDEBUG_WORK: join(dir, 'work'),
      RCDEBUG_BASE_CONFIG: join(dir, 'base.config'),
      ...env,
    },
  });
}

const prefix = () => join(s3, 'artifacts', 'kernels', 'kasan', 'kd0123456789');
const uploaded = (name: string) => join(prefix(), name);
const json = (name: string) => JSON.parse(readFileSync(uploaded(name), 'utf8')) as Record<string, unknown>;
const uploadOrder = () => readFileSync(join(s3, 'uploads.log'), 'utf8').trim().split('\n').map((k) => k.replace('artifacts/kernels/kasan/kd0123456789/', ''));

beforeEach(setup);
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('build-al2023-kernel.sh', () => {
  it('builds from the running kernel\'s source package and uploads everything under kernels/<flavor>/<digest>/', () => {
    const r = build();
    expect(r.status, r.output).toBe(0);
    expect(json('status.json')).toMatchObject({ result: 'built', exitCode: 0, stage: 'complete' });
    expect(json('build.json')).toMatchObject({
      flavor: 'kasan',
      digest: 'kd0123456789',
      kernelRelease: '6.12.40-rcdebug.kasan',
      sourcePackage: NVR,
      sourceAmi: 'ami-0fedcba9876543210',
      cycleId: 'cycle-1',
      rpms: ['kernel-6.12.40_rcdebug.kasan-1.x86_64.rpm', 'kernel-headers-6.12.40_rcdebug.kasan-1.x86_64.rpm'],
      prefix: 's3://artifacts/kernels/kasan/kd0123456789/',
    });
    const config = readFileSync(uploaded('config'), 'utf8');
    expect(json('build.json').configDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(config).toContain('CONFIG_LOCALVERSION="-rcdebug.kasan"');
    // The common fragments come first, then the flavor's, so the flavor can override them.
    expect(config.indexOf('CONFIG_DEBUG_KMEMLEAK=y')).toBeGreaterThan(-1);
    expect(config.indexOf('CONFIG_DEBUG_KMEMLEAK=y')).toBeLessThan(config.indexOf('CONFIG_KASAN=y'));
    expect(json('verify.json')).toMatchObject({ ok: true, dropped: [] });
    // The users' option list is checked on the cloud build too, and its table uploaded.
    const options = json('options.json') as { ok: boolean; flavor: string; options: Array<{ option: string; present: boolean; mine: boolean }> };
    expect(options).toMatchObject({ ok: true, flavor: 'kasan' });
    expect(options.options.find((o) => o.option === 'CONFIG_KASAN')).toMatchObject({ present: true, mine: true });
    for (const f of ['rpms/kernel-6.12.40_rcdebug.kasan-1.x86_64.rpm', 'vmlinux.zst', 'build.log', 'inputs/kernel/verify-config.py', 'inputs/kernel/flavors/kasan/kasan.config']) {
      expect(existsSync(uploaded(f)), f).toBe(true);
    }
    expect(readFileSync(uploaded('build.log'), 'utf8')).toContain(`source package ${NVR}`);
  });

  it('uploads the reproducer first and build.json last of the build\'s files', () => {
    expect(build().status).toBe(0);
    const order = uploadOrder();
    expect(order[0]).toBe('reproduce.sh');
    const last = order.indexOf('build.json');
    for (const earlier of ['config', 'verify.json', 'rpms', 'vmlinux.zst']) expect(order.indexOf(earlier), earlier).toBeLessThan(last);
    // Only the trap's status and log come after it.
    expect(order.slice(last + 1).sort()).toEqual(['build.log', 'status.json']);
  });

  it('writes a reproducer that pins the source package and AMI and uploads nothing', () => {
    expect(build().status).toBe(0);
    const repro = readFileSync(uploaded('reproduce.sh'), 'utf8');
    expect(repro).toContain('ami-0fedcba9876543210');
    expect(repro).toContain(`RCDEBUG_KERNEL_SOURCE=${NVR}`);
    expect(repro).toContain('RCDEBUG_UPLOAD=0');
    expect(repro).toContain('s3://artifacts/kernels/kasan/kd0123456789/inputs/kernel');
    expect(runTool('bash', ['-n', uploaded('reproduce.sh')]).status).toBe(0);
  });

  it('refuses fragments that lost an option: exit 3, config-rejected, the option named, no build.json', () => {
    const r = build({ DROP_OPTION: 'CONFIG_KASAN' });
    expect(r.status).toBe(3);
    expect(json('status.json')).toMatchObject({ result: 'config-rejected', exitCode: 3, stage: 'verify' });
    const verify = json('verify.json') as { ok: boolean; dropped: { option: string }[] };
    expect(verify.ok).toBe(false);
    expect(verify.dropped.map((d) => d.option)).toEqual(['CONFIG_KASAN']);
    expect(existsSync(uploaded('build.json'))).toBe(false);
    expect(existsSync(uploaded('reproduce.sh'))).toBe(true);
    expect(readFileSync(uploaded('build.log'), 'utf8')).toContain('lost options');
  });

  it('a reproducer on a builder running another kernel stops before building', () => {
    const r = build({ RCDEBUG_KERNEL_SOURCE: 'kernel-6.1.100-1.amzn2023', RCDEBUG_UPLOAD: '0' });
    expect(r.status).toBe(1);
    expect(r.output).toContain('launch the source AMI named in reproduce.sh');
    // RCDEBUG_UPLOAD=0: a hand rebuild never overwrites the original's files.
    expect(existsSync(join(s3, 'uploads.log'))).toBe(false);
    expect(JSON.parse(readFileSync(join(dir, 'work', 'out', 'status.json'), 'utf8'))).toMatchObject({ result: 'failed', stage: 'source' });
  });
});
