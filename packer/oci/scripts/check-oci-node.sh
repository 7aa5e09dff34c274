#!/usr/bin/env bash
# After the bake's reboot: the shared check (debug kernel, kmemleak, timers), then what OKE's
# node bootstrap and the soak need of an OCI node: the OKE init script still in place, the
# Oracle Cloud Agent running, and Secure Boot off (the debug kernel is unsigned).
set -euo pipefail
bash /tmp/rcdebug/scripts/check-debug-kernel.sh
if command -v mokutil >/dev/null && mokutil --sb-state 2>/dev/null | grep -q 'SecureBoot enabled'; then
  echo "rcdebug: Secure Boot is on: an unsigned debug kernel cannot boot; use a shape without Shielded Instances" >&2
  exit 1
fi
systemctl is-active --quiet oracle-cloud-agent.service || { echo "rcdebug: the Oracle Cloud Agent is not running" >&2; exit 1; }
ls /etc/oke/oke-install.sh >/dev/null 2>&1 || ls /var/run/oke-init.sh >/dev/null 2>&1 || echo "rcdebug: warning: no OKE init script found; the node pool's cloud-init fetches it"
