#!/usr/bin/env bash
# Installs the kmemleak double-scan script and its systemd timer. The soak step also runs the
# script on demand (SSM SendCommand), so periodic and explicit scans report the same way.
set -euo pipefail
: "${RCDEBUG_NODE_FILES:?directory of packer/scripts/node on the instance}"
INTERVAL=${RCDEBUG_SCAN_INTERVAL:-30min}
WAIT=${RCDEBUG_SCAN_WAIT:-60}

install -m 0755 "$RCDEBUG_NODE_FILES/rcdebug-kmemleak-scan" /usr/local/sbin/rcdebug-kmemleak-scan
install -m 0644 "$RCDEBUG_NODE_FILES/rcdebug-kmemleak-scan.service" /etc/systemd/system/
sed -e "s/@INTERVAL@/$INTERVAL/g" "$RCDEBUG_NODE_FILES/rcdebug-kmemleak-scan.timer" > /etc/systemd/system/rcdebug-kmemleak-scan.timer
install -d -m 0755 /etc/rcdebug
printf 'RCDEBUG_KMEMLEAK_WAIT=%s\n' "$WAIT" > /etc/rcdebug/kmemleak.env
systemctl daemon-reload
systemctl enable rcdebug-kmemleak-scan.timer
