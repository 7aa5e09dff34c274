#!/usr/bin/env bash
# Builds one flavor of the rcdebug debug kernel on an OKE Oracle Linux worker instance and
# uploads the RPMs, the final .config, the build log, the option check and a reproducer to
# kernels/oci/$RCDEBUG_FLAVOR/$RCDEBUG_DIGEST/ in the bucket, with the instance's own principal.
#
# Run as root by packer/oci/kernel-build after it uploaded the repository's kernel/ directory to
# $RCDEBUG_KERNEL_DIR. The source is Oracle's source package of the very UEK the builder runs
# (the builder is the OKE worker image the bake starts from) and the base config is that
# kernel's own, so the debug kernel differs from the nodes' UEK only by the flavor fragments.
#
# Exit codes: 0 built and uploaded; 3 the flavor fragments lost options (the user's to fix);
# anything else is an infrastructure failure. status.json in the prefix says which.
set -euo pipefail

: "${RCDEBUG_NAMESPACE:?set RCDEBUG_NAMESPACE to the Object Storage namespace}"
: "${RCDEBUG_BUCKET:?set RCDEBUG_BUCKET to the bucket of kernel builds}"
: "${RCDEBUG_FLAVOR:?set RCDEBUG_FLAVOR (kasan, kcsan)}"
: "${RCDEBUG_DIGEST:?set RCDEBUG_DIGEST to the input digest of the build}"
KERNEL_DIR=${RCDEBUG_KERNEL_DIR:-/tmp/rcdebug/kernel}
WORK=${RCDEBUG_WORK:-/var/tmp/rcdebug-kernel}
JOBS=${RCDEBUG_JOBS:-0}
UPLOAD=${RCDEBUG_UPLOAD:-1}
PREFIX="kernels/oci/${RCDEBUG_FLAVOR}/${RCDEBUG_DIGEST}"
OUT="$WORK/out"
BUILD="$WORK/build"
STAGE=setup
if [[ "$JOBS" == 0 ]]; then JOBS=$(nproc); fi

rm -rf "$WORK"
mkdir -p "$OUT/rpms" "$BUILD"
exec > >(tee -a "$OUT/build.log") 2>&1
log() { echo "rcdebug-kernel [$STAGE] $*"; }

upload() { # <file> <name under the prefix>
  [[ "$UPLOAD" == 1 ]] || return 0
  oci os object put --auth instance_principal --force --namespace "$RCDEBUG_NAMESPACE" --bucket-name "$RCDEBUG_BUCKET" \
    --file "$1" --name "$PREFIX/$2" >/dev/null
}

finish() {
  local code=$? result=failed
  [[ $code == 0 ]] && result=built
  [[ $code == 3 ]] && result=config-rejected
  printf '{"result":"%s","exitCode":%d,"stage":"%s","flavor":"%s","digest":"%s"}\n' "$result" "$code" "$STAGE" "$RCDEBUG_FLAVOR" "$RCDEBUG_DIGEST" > "$OUT/status.json"
  upload "$OUT/status.json" status.json || true
  upload "$OUT/build.log" build.log || true
}
trap finish EXIT

STAGE=tools
dnf install -y -q dnf-plugins-core rpm-build gcc make bc bison flex elfutils-libelf-devel openssl-devel \
  dwarves perl python3 rsync zstd ncurses-devel
command -v oci >/dev/null || dnf install -y -q python39-oci-cli || dnf install -y -q python36-oci-cli

STAGE=source
RUNNING=$(uname -r)
# UEK's source package of the running kernel, e.g. kernel-uek-5.15.0-300.163.18.el8uek.
NVR=${RCDEBUG_KERNEL_SOURCE:-kernel-uek-${RUNNING%.x86_64}}
log "source package $NVR"
cat > "$OUT/reproduce.sh" <<REPRO
#!/usr/bin/env bash
# Rebuilds kernels/oci/${RCDEBUG_FLAVOR}/${RCDEBUG_DIGEST} by hand on an instance of the same OKE worker image:
# copy the repository's kernel/ directory to /tmp/rcdebug/kernel, then run as root:
RCDEBUG_UPLOAD=0 RCDEBUG_KERNEL_SOURCE=$NVR RCDEBUG_NAMESPACE=$RCDEBUG_NAMESPACE RCDEBUG_BUCKET=$RCDEBUG_BUCKET \\
  RCDEBUG_FLAVOR=$RCDEBUG_FLAVOR RCDEBUG_DIGEST=$RCDEBUG_DIGEST bash /tmp/rcdebug/kernel/oci/build-uek-kernel.sh
REPRO
upload "$OUT/reproduce.sh" reproduce.sh
cd "$WORK"
dnf download -q --source "$NVR"
rpm -i --define "_topdir $WORK/rpmbuild" "$NVR".src.rpm
SRC=$(find "$WORK/rpmbuild/SOURCES" -maxdepth 1 -name 'linux-*.tar.*' | head -1)
tar -xf "$SRC" -C "$WORK"
SRC=$(find "$WORK" -maxdepth 1 -type d -name 'linux-*' | head -1)

STAGE=config
cp "/boot/config-$RUNNING" "$BUILD/.config"
FRAGMENTS=("$KERNEL_DIR"/flavors/common/*.config "$KERNEL_DIR"/flavors/"$RCDEBUG_FLAVOR"/*.config)
"$SRC/scripts/config" --file "$BUILD/.config" --set-str LOCALVERSION "-rcdebug.${RCDEBUG_FLAVOR}" --disable LOCALVERSION_AUTO \
  --disable MODULE_SIG_FORCE --set-str SYSTEM_TRUSTED_KEYS "" --set-str SYSTEM_REVOCATION_KEYS ""
"$SRC/scripts/kconfig/merge_config.sh" -m -O "$BUILD" "$BUILD/.config" "${FRAGMENTS[@]}"
make -s -C "$SRC" O="$BUILD" olddefconfig
cp "$BUILD/.config" "$OUT/config"
upload "$OUT/config" config
set +e
python3 "$KERNEL_DIR/verify-config.py" --config "$BUILD/.config" --srctree "$SRC" --arch x86 "${FRAGMENTS[@]}" > "$OUT/verify.json"
VERIFY=$?
set -e
upload "$OUT/verify.json" verify.json
if [[ $VERIFY == 1 ]]; then log "the fragments lost options: $(cat "$OUT/verify.json")"; exit 3; fi
[[ $VERIFY == 0 ]] || { log "verify-config.py failed with exit status $VERIFY"; exit 1; }
# The users' option list, whole (kernel/options.list): each option present in this .config or
# explained (gone from this kernel, KCSAN vs KASAN); options.json is the cloud build's table.
python3 "$KERNEL_DIR/verify-config.py" --config "$BUILD/.config" --srctree "$SRC" --arch x86 --list "$KERNEL_DIR/options.list" --flavor "$RCDEBUG_FLAVOR" > "$OUT/options.json" \
  || { upload "$OUT/options.json" options.json; log "listed options are absent but could be present (see options.json)"; exit 3; }
upload "$OUT/options.json" options.json

STAGE=build
KERNEL_RELEASE=$(make -s -C "$SRC" O="$BUILD" kernelrelease)
log "building $KERNEL_RELEASE with $JOBS jobs"
make -C "$SRC" O="$BUILD" -j"$JOBS" INSTALL_MOD_STRIP=1 binrpm-pkg
find "$BUILD" "$SRC" -path '*/RPMS/*' -name '*.rpm' -exec cp {} "$OUT/rpms/" \;
zstd -q -T0 -o "$OUT/vmlinux.zst" "$BUILD/vmlinux"

STAGE=upload
python3 - "$OUT/build.json" "$OUT/rpms" "$KERNEL_RELEASE" "$NVR" <<'PY'
import hashlib, json, os, sys
out, rpms, release, nvr = sys.argv[1:]
config = open(os.path.join(os.path.dirname(out), 'config'), 'rb').read()
json.dump({'kernelRelease': release, 'configDigest': 'sha256:' + hashlib.sha256(config).hexdigest(),
           'sourcePackage': nvr, 'rpms': sorted(os.listdir(rpms))}, open(out, 'w'))
PY
for rpm in "$OUT"/rpms/*.rpm; do upload "$rpm" "rpms/$(basename "$rpm")"; done
upload "$OUT/vmlinux.zst" vmlinux.zst
# build.json goes last: its presence marks a complete upload.
upload "$OUT/build.json" build.json
cat "$OUT/build.json"
