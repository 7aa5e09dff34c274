#!/bin/sh
# The local cycle's build, bake and boot done by hand, as an engineer would without rcdebug:
# the same kernel source, config fragments, compiler (through the same ccache), example
# module, busybox initramfs and qemu command line; three VMs booted, the module loaded with
# each node's parameters, then stopped. bench/local.ts times it against the cold cycle.
#
# Usage: bench/local-by-hand.sh <kernel-source-tree> <work-dir> [flavor]
# Environment: CCACHE_DIR (shared with the cycle), QEMU_ACCEL (default tcg).
set -eu
SRC=$1
WORK=$2
FLAVOR=${3:-kasan}
REPO=$(cd "$(dirname "$0")/.." && pwd)
K=$WORK/kernel
ACCEL=${QEMU_ACCEL:-tcg}
mkdir -p "$K"

# 1. kernel: allnoconfig + the fragments, olddefconfig, make.
cat "$REPO"/kernel/base/*.config "$REPO"/kernel/flavors/common/*.config "$REPO"/kernel/flavors/"$FLAVOR"/*.config > "$K/fragments.config"
make -s -C "$SRC" O="$K" CC="ccache gcc" KCONFIG_ALLCONFIG="$K/fragments.config" allnoconfig
make -s -C "$SRC" O="$K" CC="ccache gcc" olddefconfig
make -s -C "$SRC" O="$K" CC="ccache gcc" -j2

# 2. image: the module, then an initramfs with busybox, the module and the guest scripts.
make -s -C "$K" CC="ccache gcc" modules_prepare
rm -rf "$WORK/kbug" && cp -r "$REPO/kernel/examples/kbug" "$WORK/kbug"
make -s -C "$K" CC="ccache gcc" M="$WORK/kbug" modules
R=$WORK/root
rm -rf "$R" && mkdir -p "$R/bin" "$R/dev" "$R/proc" "$R/sys" "$R/tmp" "$R/rcdebug" "$R/lib/modules" "$R/sbin" "$R/usr/bin" "$R/usr/sbin"
cp "$(command -v busybox)" "$R/bin/busybox"
for applet in $(busybox --list-full); do [ "$applet" = bin/busybox ] || ln -sf /bin/busybox "$R/$applet"; done
mknod -m 600 "$R/dev/console" c 5 1
mknod -m 666 "$R/dev/null" c 1 3
mknod -m 660 "$R/dev/ttyS0" c 4 64
mknod -m 660 "$R/dev/ttyS1" c 4 65
cp "$WORK/kbug/kbug.ko" "$R/lib/modules/"
cp "$REPO"/kernel/guest/* "$R/rcdebug/"
cp "$REPO/kernel/guest/init" "$R/init"
(cd "$R" && find . | cpio -o -H newc --quiet) | gzip -n -9 > "$WORK/initramfs.cpio.gz"

# 3. boot: one VM per node, console to a file, control channel on a socket.
APPEND="console=ttyS0 panic=-1 no_hash_pointers rdinit=/init nowatchdog rcupdate.rcu_cpu_stall_suppress=1 workqueue.watchdog_thresh=0 sysctl.kernel.hung_task_timeout_secs=0 $(grep -hv '^#' "$REPO"/kernel/flavors/common/cmdline "$REPO"/kernel/flavors/"$FLAVOR"/cmdline | tr '\n' ' ')"
CPU=max
[ "$ACCEL" = kvm ] && CPU=host
for node in node-uaf node-deadlock node-clean; do
  qemu-system-x86_64 -accel "$ACCEL" -cpu "$CPU" -m 512 -smp 1 -kernel "$K/arch/x86/boot/bzImage" \
    -initrd "$WORK/initramfs.cpio.gz" -append "$APPEND" -no-reboot -nodefaults -display none \
    -serial "file:$WORK/$node.log" \
    -chardev "socket,id=ctl,path=$WORK/$node.sock,server=on,wait=off" -serial chardev:ctl \
    -daemonize -pidfile "$WORK/$node.pid"
done
for node in node-uaf node-deadlock node-clean; do
  until grep -q 'rcdebug-guest: ready' "$WORK/$node.log" 2>/dev/null; do sleep 0.5; done
done

# 4. load the module with each node's parameters and start the workload (the agent's protocol).
say() {
  python3 -c 'import socket,sys
s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.sendall(("\n1 "+sys.argv[2]+"\n").encode())
buf=b""
while not any(l.startswith(b"1 ") for l in buf.split(b"\n")[:-1]): buf+=s.recv(4096)
print([l for l in buf.split(b"\n") if l.startswith(b"1 ")][0].decode())' "$WORK/$1.sock" "$2"
}
say node-uaf 'load kbug bug=uaf,leak'
say node-deadlock 'load kbug bug=deadlock'
say node-clean 'load kbug bug=none'
for node in node-uaf node-deadlock node-clean; do say "$node" 'workload start network=1 trigger=/proc/kbug interval=10'; done

# 5. stop the VMs.
for node in node-uaf node-deadlock node-clean; do kill "$(cat "$WORK/$node.pid")"; done
