/**
 * packer/scripts/install-debug-kernel.sh runs on the image-bake instance. Here it runs against
 * stand-ins of aws, dnf, dracut and grubby (grubby keeps its boot entries in a file) and the
 * repository's real flavor boot arguments.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { repoRoot } from '../../src/domain/paths';
import { runTool } from './real-tool';

const script = join(repoRoot, 'packer', 'scripts', 'install-debug-kernel.sh');
const REL = '6.12.40-rcdebug.kasan';

const standIns: Record<string, string> = {
  // aws s3 cp [--only-show-errors] s3://bucket/key DEST, from $FAKE_S3/bucket/key
  aws: `for a in "$@"; do case "$a" in s3://*) src=$FAKE_S3/\${a#s3://} ;; --*|s3|cp) ;; *) dst=$a ;; esac; done
echo "get \${src#$FAKE_S3/}" >> "$CALLS"; cp "$src" "$dst"`,
  // The kernel package puts its image under /lib/modules, as kernel.spec of 6.12 does.
  dnf: `echo "dnf $*" >> "$CALLS"; mkdir -p "$RCDEBUG_ROOT/lib/modules/${REL}"; echo image > "$RCDEBUG_ROOT/lib/modules/${REL}/vmlinuz"`,
  dracut: `echo "dracut $*" >> "$CALLS"; touch "$2"`,
  grubby: `echo "grubby $*" >> "$CALLS"
case "$1" in
  --info=*) grep -q "^entry \${1#--info=}$" "$ENTRIES" 2>/dev/null || exit 1; echo "args=\\"$(cat "$ENTRIES.args" 2>/dev/null)\\"" ;;
  --add-kernel=*) echo "entry \${1#--add-kernel=}" >> "$ENTRIES" ;;
  --update-kernel=*) echo "\${2#--args=}" > "$ENTRIES.args" ;;
  --set-default=*) [ -z "$REFUSE_DEFAULT" ] && echo "\${1#--set-default=}" > "$ENTRIES.default"; exit 0 ;;
  --default-kernel) cat "$ENTRIES.default" 2>/dev/null || echo /boot/vmlinuz-stock ;;
esac`,
};

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rcdebug-install-kernel-'));
  mkdirSync(join(dir, 'bin'));
  mkdirSync(join(dir, 'root', 'boot'), { recursive: true });
  for (const [name, body] of Object.entries(standIns)) {
    writeFileSync(join(dir, 'bin', name), `#!/bin/sh\n${body}\n`);
    chmodSync(join(dir, 'bin', name), 0o755);
  }
  const prefix = join(dir, 's3', 'artifacts', 'kernels', 'kasan', 'kd1');
  mkdirSync(join(prefix, 'rpms'), { recursive: true });
  const rpms = [`kernel-6.12.40_rcdebug.kasan-1.x86_64.rpm`, `kernel-headers-6.12.40_rcdebug.kasan-1.x86_64.rpm`];
  for (const r of rpms) writeFileSync(join(prefix, 'rpms', r), 'rpm');
  writeFileSync(join(prefix, 'build.json'), JSON.stringify({ kernelRelease: REL, rpms }));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function install(env: Record<string, string> = {}) {
  return runTool('bash', [script], {
    env: {
      PATH: `${join(dir, 'bin')}:${process.env.PATH ?? ''}`,
      RCDEBUG_ROOT: join(dir, 'root'),
      FAKE_S3: join(dir, 's3'),
      CALLS: join(dir, 'calls'),
      ENTRIES: join(dir, 'entries'),
      RCDEBUG_KERNEL_PREFIX: 's3://artifacts/kernels/kasan/kd1/',
      RCDEBUG_KERNEL_RELEASE: REL,
      RCDEBUG_FLAVOR: 'kasan',
      RCDEBUG_FLAVORS_DIR: join(repoRoot, 'kernel', 'flavors'),
      ...env,
    },
  });
}

const calls = () => readFileSync(join(dir, 'calls'), 'utf8').trim().split('\n');

describe('install-debug-kernel.sh', () => {
  it('installs the kernel package (not kernel-headers) and makes it the default with the flavor\'s boot arguments', () => {
    const r = install();
    expect(r.status, r.output).toBe(0);
    const log = calls();
    expect(log).toContain('get artifacts/kernels/kasan/kd1/build.json');
    expect(log).toContain('get artifacts/kernels/kasan/kd1/rpms/kernel-6.12.40_rcdebug.kasan-1.x86_64.rpm');
    expect(log.join('\n')).not.toContain('kernel-headers');
    expect(existsSync(join(dir, 'root', 'boot', `vmlinuz-${REL}`))).toBe(true);
    expect(log).toContain(`dracut --force ${join(dir, 'root', 'boot', `initramfs-${REL}.img`)} ${REL}`);
    expect(log).toContain(`grubby --add-kernel=/boot/vmlinuz-${REL} --initrd=/boot/initramfs-${REL}.img --title=rcdebug kasan ${REL} --copy-default`);
    // common/cmdline, then kasan/cmdline, comments dropped, then kmemleak on.
    expect(readFileSync(join(dir, 'entries.args'), 'utf8').trim()).toBe('panic_on_warn=0 hung_task_panic=0 softlockup_panic=0 sysctl.kernel.panic_on_oops=0 page_poison=1 debug_pagealloc=on page_owner=on kasan.fault=report kasan_multi_shot kmemleak=on');
    expect(readFileSync(join(dir, 'entries.default'), 'utf8').trim()).toBe(`/boot/vmlinuz-${REL}`);
    expect(readFileSync(join(dir, 'root', 'etc', 'rcdebug', 'image.env'), 'utf8')).toContain(`RCDEBUG_KERNEL_RELEASE=${REL}`);
  });

  it('the kcsan flavor gets the common words, then its own (comment lines left out), then kmemleak', () => {
    expect(install({ RCDEBUG_FLAVOR: 'kcsan' }).status).toBe(0);
    expect(readFileSync(join(dir, 'entries.args'), 'utf8').trim()).toBe('panic_on_warn=0 hung_task_panic=0 softlockup_panic=0 sysctl.kernel.panic_on_oops=0 page_poison=1 debug_pagealloc=on page_owner=on kcsan.early_enable=1 kcsan.skip_watch=50 kmemleak=on');
  });

  it('fails when the debug kernel does not become the default entry', () => {
    const r = install({ REFUSE_DEFAULT: '1' });
    expect(r.status).toBe(1);
    expect(r.output).toContain(`the default kernel is /boot/vmlinuz-stock, not /boot/vmlinuz-${REL}`);
  });
});
