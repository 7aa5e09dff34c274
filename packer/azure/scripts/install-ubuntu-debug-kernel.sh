#!/usr/bin/env bash
# Installs the debug kernel of a kernel-build from Blob Storage on the Ubuntu image and makes it
# the default boot entry with its flavor's boot arguments plus the serial console Azure's boot
# diagnostics records. Run as root during the azure image bake. The blobs are read with the
# builder's managed identity (a token from the instance metadata service).
set -euo pipefail
: "${RCDEBUG_KERNEL_URL:?https://<account>.blob.core.windows.net/<container>/kernels/<flavor>/<digest>/}"
: "${RCDEBUG_KERNEL_RELEASE:?uname -r of the debug kernel}"
: "${RCDEBUG_FLAVOR:?kernel flavor}"
FLAVORS_DIR=${RCDEBUG_FLAVORS_DIR:-/tmp/rcdebug/flavors}
DEBS=/var/tmp/rcdebug-debs
REL=$RCDEBUG_KERNEL_RELEASE

TOKEN=$(curl -sf -H Metadata:true 'http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https%3A%2F%2Fstorage.azure.com%2F' | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
get() { curl -sf -H "Authorization: Bearer $TOKEN" -H 'x-ms-version: 2021-08-06' -o "$2" "${RCDEBUG_KERNEL_URL}$1"; }
rm -rf "$DEBS" && mkdir -p "$DEBS"
get build.json "$DEBS/build.json"
mapfile -t PACKAGES < <(python3 -c 'import json,sys; print("\n".join(json.load(open(sys.argv[1]))["debs"]))' "$DEBS/build.json")
for deb in "${PACKAGES[@]}"; do get "debs/$deb" "$DEBS/$deb"; done
# The stock kernel stays installed as a fallback entry.
DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$DEBS"/*.deb

# Boot arguments: the common ones, then the flavor's (`#` starts a comment).
ARGS="console=ttyS0,115200n8 earlyprintk=ttyS0 $(sed -e 's/#.*//' "$FLAVORS_DIR/common/cmdline" "$FLAVORS_DIR/$RCDEBUG_FLAVOR/cmdline" 2>/dev/null)"
ARGS=$(echo "$ARGS" | tr -s ' \n' ' ' | sed 's/ $//')
cat > /etc/default/grub.d/60-rcdebug.cfg <<CFG
GRUB_DEFAULT="Advanced options for Ubuntu>Ubuntu, with Linux $REL"
GRUB_CMDLINE_LINUX_DEFAULT="$ARGS"
GRUB_TIMEOUT=1
CFG
update-grub
echo "rcdebug: default boot entry $REL with: $ARGS"
