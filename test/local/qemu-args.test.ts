import { describe, expect, it } from 'vitest';
import { guestAppend, guestCpus, handBootCommand, qemuArgs, shellQuote, type VmSpec } from '../../activities/providers/local/qemu';
import { consoleKey, safeId, vmPaths } from '../../activities/providers/local/vm-state';

const spec: VmSpec = {
  name: 'rcdebug:c1:node-a',
  kernel: '/k/bzImage',
  initrd: '/k/initramfs.cpio.gz',
  append: guestAppend('kasan.fault=report kasan_multi_shot', 'kvm'),
  memoryMiB: 768,
  cpus: 1,
  accel: 'tcg',
  cpu: 'max',
  consoleFile: '/a/c1/consoles/node-a.log',
  socket: '/s/c1/node-a.sock',
  pidFile: '/s/c1/node-a.pid',
};

describe('qemu command line', () => {
  it('ttyS0 is the console file, ttyS1 the control socket, the VM daemonizes with a pid file', () => {
    const args = qemuArgs(spec);
    const serials = args.flatMap((a, i) => (a === '-serial' ? [args[i + 1]] : []));
    expect(serials).toEqual(['chardev:con', 'chardev:ctl']);
    expect(args).toContain('file,id=con,path=/a/c1/consoles/node-a.log,append=on');
    expect(args).toContain('socket,id=ctl,path=/s/c1/node-a.sock,server=on,wait=off');
    expect(args.join(' ')).toContain('-daemonize -pidfile /s/c1/node-a.pid');
    expect(args.join(' ')).toContain('-accel tcg -cpu max -m 768 -smp 1');
    for (const flag of ['-no-reboot', '-nodefaults', '-display']) expect(args).toContain(flag);
    // -nographic cannot be combined with -daemonize.
    expect(args).not.toContain('-nographic');
  });

  it('the kernel command line: console on ttyS0, qemu exits on panic, then the flavor', () => {
    expect(spec.append).toBe('console=ttyS0 panic=-1 no_hash_pointers rdinit=/init kasan.fault=report kasan_multi_shot');
  });

  it('under TCG the time-based detectors are off: a descheduled vCPU is not a kernel lockup', () => {
    expect(guestAppend('x=1', 'tcg')).toBe(
      'console=ttyS0 panic=-1 no_hash_pointers rdinit=/init nowatchdog rcupdate.rcu_cpu_stall_suppress=1 workqueue.watchdog_thresh=0 sysctl.kernel.hung_task_timeout_secs=0 x=1',
    );
  });

  it('the hand boot command is a shell line with the console on the terminal', () => {
    const cmd = handBootCommand(spec);
    expect(cmd).toMatch(/^qemu-system-x86_64 -accel tcg -cpu max /);
    expect(cmd).toContain("-append 'console=ttyS0 panic=-1 no_hash_pointers rdinit=/init kasan.fault=report kasan_multi_shot'");
    expect(cmd).toContain('-serial mon:stdio -serial null');
    expect(cmd).not.toContain('-daemonize');
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
  });

  it('state paths: one folder per cycle, a short socket path when the folder is deep', () => {
    const shallow = vmPaths({ stateDir: '/st' }, 'local/kasan v1', 'node-a');
    expect(shallow.pidFile).toBe('/st/local_kasan_v1/node-a.pid');
    expect(shallow.socket).toBe('/st/local_kasan_v1/node-a.sock');
    const deep = vmPaths({ stateDir: `/${'x'.repeat(120)}` }, 'c', 'node-a');
    expect(Buffer.byteLength(deep.socket)).toBeLessThan(108);
    expect(deep.socket).toMatch(/rcdebug-[0-9a-f]{16}\.sock$/);
    expect(consoleKey('local/kasan v1', 'node-a')).toBe(`${safeId('local/kasan v1')}/consoles/node-a.log`);
  });

  it('the CPUs a guest brought up come from its console, the last boot when it holds several', () => {
    const boot = (n: number) => `[    1.09] smp: Bringing up secondary CPUs ...\n[    1.10] smp: Brought up 1 node, ${n} CPU${n > 1 ? 's' : ''}\n`;
    expect(guestCpus(boot(1))).toBe(1);
    expect(guestCpus(`${boot(1)}rcdebug-guest: ready\n${boot(2)}`)).toBe(2);
    expect(guestCpus('[    0.00] smpboot: Allowing 2 CPUs, 0 hotplug CPUs\n')).toBeUndefined();
  });
});
