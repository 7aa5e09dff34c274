#!/usr/bin/env bash
# Runs after the bake rebooted the instance: the image must come up on the debug kernel with
# kmemleak on, or it is not worth an AMI.
set -euo pipefail
: "${RCDEBUG_KERNEL_RELEASE:?uname -r of the debug kernel}"
RUNNING=$(uname -r)
if [[ "$RUNNING" != "$RCDEBUG_KERNEL_RELEASE" ]]; then
  echo "rcdebug: booted $RUNNING instead of the debug kernel $RCDEBUG_KERNEL_RELEASE" >&2
  grubby --default-kernel >&2 || true
  exit 1
fi
grep -qw 'kmemleak=on' /proc/cmdline || { echo "rcdebug: kmemleak=on is missing from $(cat /proc/cmdline)" >&2; exit 1; }
mountpoint -q /sys/kernel/debug || mount -t debugfs debugfs /sys/kernel/debug
[[ -e /sys/kernel/debug/kmemleak ]] || { echo "rcdebug: $RUNNING has no /sys/kernel/debug/kmemleak" >&2; exit 1; }
systemctl is-enabled --quiet rcdebug-kmemleak-scan.timer
systemctl is-enabled --quiet rcdebug-kernel-log.service
echo "rcdebug: running $RUNNING with: $(cat /proc/cmdline)"
# Reports during boot are worth seeing in the bake log, but they are the soak's findings to
# make, not a reason to refuse the image.
journalctl -k -b --no-pager | grep -E 'BUG:|WARNING:|KASAN|KCSAN|kmemleak|lockdep|possible .* deadlock' || true
