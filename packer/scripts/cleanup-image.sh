#!/usr/bin/env bash
# Last step of the bake: nothing of the bake instance may leak into the nodes (its SSH key,
# machine id, logs that the log shipping would otherwise send as the first node's).
set -euo pipefail
rm -rf /tmp/rcdebug /var/tmp/rcdebug-rpms
# Stopped first: journalctl writes its cursor when it exits, and a cursor into the bake's
# (vacuumed) journal must not be what a node starts from. It stays enabled for the nodes.
systemctl stop rcdebug-kernel-log.service
rm -f /var/log/rcdebug/*.log /var/lib/rcdebug/*.cursor
dnf clean all -q
cloud-init clean --logs
rm -f /etc/ssh/ssh_host_*
truncate -s 0 /etc/machine-id
rm -f /home/ec2-user/.ssh/authorized_keys /root/.ssh/authorized_keys
journalctl --rotate
journalctl --vacuum-time=1s
sync
