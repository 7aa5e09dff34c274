#!/usr/bin/env bash
# Builds one flavor of the rcdebug debug kernel on an Azure builder VM of the Ubuntu LTS image
# the workload nodes run, and uploads the .deb packages, the final .config, the build log, the
# option check and a reproducer to $RCDEBUG_STORAGE_URL/$RCDEBUG_CONTAINER/kernels/<flavor>/<digest>/.
#
# Run as root by packer/azure/kernel-build/ after it uploaded the repository's kernel/
# directory to $RCDEBUG_KERNEL_DIR. The source is Ubuntu's own source package of the very
# kernel the builder runs (linux-azure), the base config that kernel's shipped config, then the
# flavor fragments and kernel/azure/hyperv.config (Hyper-V drivers built in) merged on top.
#
# Exit codes: 0 built and uploaded; 3 the fragments lost options (the user's to fix); anything
# else an infrastructure failure. status.json in the prefix says which, even on failure.
set -euo pipefail

: "${RCDEBUG_STORAGE_URL:?blob endpoint of the artifacts account}"
: "${RCDEBUG_CONTAINER:?artifacts container}"
: "${RCDEBUG_FLAVOR:?set RCDEBUG_FLAVOR (kasan, kcsan)}"
: "${RCDEBUG_DIGEST:?set RCDEBUG_DIGEST to the input digest of the build}"
KERNEL_DIR=${RCDEBUG_KERNEL_DIR:-/tmp/rcdebug/kernel}
WORK=${RCDEBUG_WORK:-/var/tmp/rcdebug-kernel}
JOBS=${RCDEBUG_JOBS:-0}
[[ "$JOBS" == 0 ]] && JOBS=$(nproc)
DEST="${RCDEBUG_STORAGE_URL%/}/${RCDEBUG_CONTAINER}/kernels/${RCDEBUG_FLAVOR}/${RCDEBUG_DIGEST}"
OUT=$WORK/out
STAGE=setup
mkdir -p "$OUT/debs"
exec > >(tee -a "$OUT/build.log") 2>&1

# Blob uploads with the VM's managed identity: a token from the instance metadata service.
token() { curl -sf -H Metadata:true 'http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https%3A%2F%2Fstorage.azure.com%2F' | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])'; }
upload() { curl -sf -X PUT -H "Authorization: Bearer $(token)" -H 'x-ms-version: 2021-08-06' -H 'x-ms-blob-type: BlockBlob' --data-binary "@$1" "$2" > /dev/null; }
log() { echo "rcdebug-kernel [$STAGE] $*"; }

finish() {
  local code=$? result=failed
  [[ $code == 0 ]] && result=built
  [[ $code == 3 ]] && result=config-rejected
  printf '{"result":"%s","exitCode":%d,"stage":"%s","flavor":"%s","digest":"%s"}\n' "$result" "$code" "$STAGE" "$RCDEBUG_FLAVOR" "$RCDEBUG_DIGEST" > "$OUT/status.json"
  upload "$OUT/status.json" "$DEST/status.json" || true
  upload "$OUT/build.log" "$DEST/build.log" || true
}
trap finish EXIT

STAGE=source
RUNNING=$(uname -r)
log "builder runs $RUNNING"
sed -i 's/^Types: deb$/Types: deb deb-src/' /etc/apt/sources.list.d/ubuntu.sources
apt-get update -q
DEBIAN_FRONTEND=noninteractive apt-get install -y -q build-essential bc bison flex libelf-dev libssl-dev dwarves python3 rsync kmod cpio zstd debhelper-compat curl
rm -rf "$WORK/src" && mkdir -p "$WORK/src" && cd "$WORK/src"
apt-get source -q "linux-image-unsigned-$RUNNING"
SRC=$(find "$WORK/src" -maxdepth 1 -mindepth 1 -type d -name 'linux-*' | head -1)
cat > "$OUT/reproduce.sh" <<REPRO
#!/bin/sh
# Reruns this build on an Azure VM of the same Ubuntu image (kernel $RUNNING):
#   RCDEBUG_STORAGE_URL=... RCDEBUG_CONTAINER=... RCDEBUG_FLAVOR=$RCDEBUG_FLAVOR RCDEBUG_DIGEST=$RCDEBUG_DIGEST sudo -E kernel/azure/build-ubuntu-kernel.sh
REPRO
upload "$OUT/reproduce.sh" "$DEST/reproduce.sh"

STAGE=config
BUILD=$WORK/build
rm -rf "$BUILD" && mkdir -p "$BUILD"
cp "/boot/config-$RUNNING" "$BUILD/.config"
FRAGMENTS=("$KERNEL_DIR"/flavors/common/*.config)
for f in "$KERNEL_DIR/flavors/$RCDEBUG_FLAVOR"/*.config; do FRAGMENTS+=("$f"); done
FRAGMENTS+=("$KERNEL_DIR/azure/hyperv.config")
"$SRC/scripts/config" --file "$BUILD/.config" --set-str LOCALVERSION "-rcdebug-${RCDEBUG_FLAVOR}" --disable LOCALVERSION_AUTO \
  --set-str SYSTEM_TRUSTED_KEYS "" --set-str SYSTEM_REVOCATION_KEYS ""
"$SRC/scripts/kconfig/merge_config.sh" -m -O "$BUILD" "$BUILD/.config" "${FRAGMENTS[@]}"
make -C "$SRC" O="$BUILD" olddefconfig

STAGE=verify
set +e
python3 "$KERNEL_DIR/verify-config.py" --config "$BUILD/.config" --srctree "$SRC" --arch x86 "${FRAGMENTS[@]}" > "$OUT/verify.json"
VERIFY=$?
set -e
upload "$OUT/verify.json" "$DEST/verify.json"
if [[ $VERIFY == 1 ]]; then log "the flavor fragments lost options (see verify.json)"; exit 3; fi
[[ $VERIFY == 0 ]] || { log "verify-config.py failed with exit status $VERIFY"; exit 1; }
# The users' option list, whole (kernel/options.list): each option present in this .config or
# explained (gone from this kernel, KCSAN vs KASAN); options.json is the cloud build's table.
python3 "$KERNEL_DIR/verify-config.py" --config "$BUILD/.config" --srctree "$SRC" --arch x86 --list "$KERNEL_DIR/options.list" --flavor "$RCDEBUG_FLAVOR" > "$OUT/options.json" \
  || { upload "$OUT/options.json" "$DEST/options.json"; log "listed options are absent but could be present (see options.json)"; exit 3; }
upload "$OUT/options.json" "$DEST/options.json"
cp "$BUILD/.config" "$OUT/config"
upload "$OUT/config" "$DEST/config"

STAGE=build
make -C "$SRC" O="$BUILD" -j"$JOBS" bindeb-pkg
REL=$(make -s -C "$SRC" O="$BUILD" kernelrelease)
for deb in "$BUILD"/../linux-*.deb "$WORK"/linux-*.deb; do
  [[ -f "$deb" ]] || continue
  cp "$deb" "$OUT/debs/" && upload "$deb" "$DEST/debs/$(basename "$deb")"
done

STAGE=record
python3 - "$OUT/build.json" "$OUT/debs" "$REL" "$RUNNING" "$(sha256sum "$OUT/config" | cut -d' ' -f1)" <<'PY'
import json, os, sys
out, debs, rel, running, cfg = sys.argv[1:6]
json.dump({"kernelRelease": rel, "configDigest": "sha256:" + cfg, "sourceKernel": running,
           "debs": sorted(d for d in os.listdir(debs) if d.endswith(".deb") and "headers" not in d and "libc-dev" not in d),
           "flavor": os.environ["RCDEBUG_FLAVOR"], "digest": os.environ["RCDEBUG_DIGEST"]}, open(out, "w"))
PY
upload "$OUT/build.json" "$DEST/build.json"
log "built $REL"
