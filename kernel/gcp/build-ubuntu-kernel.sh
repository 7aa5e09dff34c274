#!/usr/bin/env bash
# Builds one flavor of the rcdebug debug kernel on an Ubuntu LTS builder VM (the image family
# the workload nodes use) and uploads the .debs, the final .config, the build log, the option
# check and a reproducer to gs://$RCDEBUG_BUCKET/kernels/$RCDEBUG_FLAVOR/$RCDEBUG_DIGEST/.
#
# Run as root by packer/gcp/kernel-build.pkr.hcl after it uploaded the repository's kernel/
# directory to $RCDEBUG_KERNEL_DIR. The source is the distribution's source package of the
# very kernel the builder runs, the base config is that kernel's shipped config, then the
# flavor fragments and kernel/gcp/gcp.config (virtio-scsi, NVMe, gVNIC, virtio-net, ttyS0).
#
# Exit codes: 0 built and uploaded; 3 the fragments lost options (the user's to fix: retrying
# cannot help); anything else is an infrastructure failure. status.json says which.
set -euo pipefail

: "${RCDEBUG_BUCKET:?set RCDEBUG_BUCKET to the artifacts bucket}"
: "${RCDEBUG_FLAVOR:?set RCDEBUG_FLAVOR (kasan, kcsan)}"
: "${RCDEBUG_DIGEST:?set RCDEBUG_DIGEST to the input digest of the build}"
KERNEL_DIR=${RCDEBUG_KERNEL_DIR:-/tmp/rcdebug/kernel}
WORK=${RCDEBUG_WORK:-/var/tmp/rcdebug-kernel}
DEST="gs://${RCDEBUG_BUCKET}/kernels/${RCDEBUG_FLAVOR}/${RCDEBUG_DIGEST}"
mkdir -p "$WORK/out"
LOG="$WORK/out/build.log"
exec > >(tee -a "$LOG") 2>&1

status() { printf '{"result":"%s","stage":"%s"}\n' "$1" "$2" > "$WORK/out/status.json"; gcloud storage cp "$WORK/out/status.json" "$DEST/status.json" || true; }
trap 'status failed "${STAGE:-start}"' ERR

STAGE=source
RUNNING=$(uname -r)
export DEBIAN_FRONTEND=noninteractive
sed -i 's/^Types: deb$/Types: deb deb-src/' /etc/apt/sources.list.d/ubuntu.sources
apt-get update -q
apt-get install -y -q build-essential bc bison flex libelf-dev libssl-dev dwarves python3 rsync kmod cpio debhelper zstd
cd "$WORK"
apt-get source -q "linux-image-unsigned-${RUNNING}"
SRC=$(find "$WORK" -maxdepth 1 -type d -name 'linux-*' | head -n1)
cd "$SRC"

STAGE=config
cp "/boot/config-${RUNNING}" .config
FRAGMENTS=("$KERNEL_DIR"/flavors/common/*.config)
for f in "$KERNEL_DIR/flavors/${RCDEBUG_FLAVOR}"/*.config; do FRAGMENTS+=("$f"); done
FRAGMENTS+=("$KERNEL_DIR/gcp/gcp.config")
scripts/kconfig/merge_config.sh -m .config "${FRAGMENTS[@]}"
make olddefconfig
scripts/config --set-str LOCALVERSION "-rcdebug-${RCDEBUG_FLAVOR}" --disable SYSTEM_TRUSTED_KEYS --disable SYSTEM_REVOCATION_KEYS
make olddefconfig
if ! python3 "$KERNEL_DIR/verify-config.py" --config .config --srctree . --arch x86 "${FRAGMENTS[@]}" > "$WORK/out/verify.json"; then
  gcloud storage cp "$WORK/out/verify.json" "$DEST/verify.json" || true
  status config-rejected config
  trap - ERR
  exit 3
fi
# The users' option list, whole (kernel/options.list): each option present in this .config or
# explained (gone from this kernel, KCSAN vs KASAN); options.json is the cloud build's table.
if ! python3 "$KERNEL_DIR/verify-config.py" --config .config --srctree . --arch x86 --list "$KERNEL_DIR/options.list" --flavor "$RCDEBUG_FLAVOR" > "$WORK/out/options.json"; then
  gcloud storage cp "$WORK/out/options.json" "$DEST/options.json" || true
  status config-rejected config
  trap - ERR
  exit 3
fi

STAGE=build
make -j"$(nproc)" bindeb-pkg
RELEASE=$(make -s kernelrelease)
cp .config "$WORK/out/config"
cat > "$WORK/out/reproduce.sh" <<REPRO
#!/bin/sh
# Rebuilds ${RELEASE} on an Ubuntu builder running ${RUNNING}: rcdebug's kernel/ tree at the same digest.
RCDEBUG_BUCKET=${RCDEBUG_BUCKET} RCDEBUG_FLAVOR=${RCDEBUG_FLAVOR} RCDEBUG_DIGEST=${RCDEBUG_DIGEST} bash kernel/gcp/build-ubuntu-kernel.sh
REPRO
printf '{"flavor":"%s","digest":"%s","kernelRelease":"%s","configDigest":"sha256-%s","sourceKernel":"%s"}\n' \
  "$RCDEBUG_FLAVOR" "$RCDEBUG_DIGEST" "$RELEASE" "$(sha256sum .config | cut -d' ' -f1)" "$RUNNING" > "$WORK/out/build.json"

STAGE=upload
gcloud storage cp "$WORK"/*.deb "$DEST/debs/"
for f in config build.log reproduce.sh verify.json options.json; do [ -f "$WORK/out/$f" ] && gcloud storage cp "$WORK/out/$f" "$DEST/$f"; done
status built upload
# build.json last: its presence means the upload is complete (the activity's cache key).
gcloud storage cp "$WORK/out/build.json" "$DEST/build.json"
