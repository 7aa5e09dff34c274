#!/usr/bin/env bash
# Runs after the bake rebooted the VM: the image must come up on the debug kernel with kmemleak
# on, its serial console and the Hyper-V drivers, or it is not worth a gallery version.
set -euo pipefail
: "${RCDEBUG_KERNEL_RELEASE:?uname -r of the debug kernel}"
RUNNING=$(uname -r)
if [[ "$RUNNING" != "$RCDEBUG_KERNEL_RELEASE" ]]; then
  echo "rcdebug: booted $RUNNING instead of the debug kernel $RCDEBUG_KERNEL_RELEASE" >&2
  exit 1
fi
grep -qw 'kmemleak=on' /proc/cmdline || { echo "rcdebug: kmemleak=on is missing from $(cat /proc/cmdline)" >&2; exit 1; }
grep -q 'console=ttyS0' /proc/cmdline || { echo "rcdebug: console=ttyS0 is missing: boot diagnostics would record nothing" >&2; exit 1; }
for drv in hv_vmbus hv_storvsc hv_netvsc; do
  [[ -d /sys/bus/vmbus ]] && { grep -qw "$drv" /proc/modules || [[ -d "/sys/module/$drv" ]]; } || { echo "rcdebug: Hyper-V driver $drv is not loaded" >&2; exit 1; }
done
mountpoint -q /sys/kernel/debug || mount -t debugfs debugfs /sys/kernel/debug
[[ -e /sys/kernel/debug/kmemleak ]] || { echo "rcdebug: $RUNNING has no /sys/kernel/debug/kmemleak" >&2; exit 1; }
systemctl is-enabled --quiet rcdebug-kmemleak-scan.timer
echo "rcdebug: running $RUNNING with: $(cat /proc/cmdline)"
journalctl -k -b --no-pager | grep -E 'BUG:|WARNING:|KASAN|KCSAN|kmemleak' || true
