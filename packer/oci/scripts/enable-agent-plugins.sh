#!/usr/bin/env bash
# The Oracle Cloud Agent must run the Run Command plugin (the soak's kmemleak scans) and the
# Custom Logs Monitoring plugin (kernel messages to OCI Logging) on every node of the image;
# which plugins run is set per instance (terraform/oci's node pool), the agent itself here.
# Kernel messages go to a file the unified agent tails (terraform/oci/logging.tf).
set -euo pipefail
systemctl enable oracle-cloud-agent.service
install -d -m 0755 /var/log/rcdebug
install -m 0644 /dev/stdin /etc/systemd/system/rcdebug-kernel-log.service <<'UNIT'
[Unit]
Description=rcdebug: kernel messages to /var/log/rcdebug/kernel.log for OCI Logging
After=systemd-journald.service

[Service]
ExecStart=/bin/sh -c 'exec journalctl -k -f -o short-monotonic --no-pager >> /var/log/rcdebug/kernel.log'
Restart=always

[Install]
WantedBy=multi-user.target
UNIT
systemctl daemon-reload
systemctl enable rcdebug-kernel-log.service
