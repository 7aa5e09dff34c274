#!/usr/bin/env bash
# Installs the CloudWatch agent and the files that feed it: kernel messages copied from the
# journal to /var/log/rcdebug/kernel.log (AL2023 has no syslog file) and the kmemleak scan
# results in /var/log/rcdebug/kmemleak.log. The agent starts only once a node's user data
# names its log group (rcdebug-configure-logs), so the AMI itself is not tied to a cycle.
set -euo pipefail
: "${RCDEBUG_NODE_FILES:?directory of packer/scripts/node on the instance}"

dnf install -y -q amazon-cloudwatch-agent
install -d -m 0755 /var/log/rcdebug /var/lib/rcdebug /etc/rcdebug
install -m 0644 "$RCDEBUG_NODE_FILES/cloudwatch-agent.json" /etc/rcdebug/cloudwatch-agent.json.template
install -m 0755 "$RCDEBUG_NODE_FILES/rcdebug-configure-logs" /usr/local/sbin/rcdebug-configure-logs
install -m 0644 "$RCDEBUG_NODE_FILES/rcdebug-kernel-log.service" /etc/systemd/system/
systemctl daemon-reload
systemctl enable rcdebug-kernel-log.service
# Stays off until configured: without a log group it would only log errors.
systemctl disable amazon-cloudwatch-agent.service 2> /dev/null || true
