#!/usr/bin/env bash
# Builds one flavor of the rcdebug debug kernel on an Amazon Linux 2023 builder instance and
# uploads the RPMs, the final .config, the build log, the option check and a reproducer to
# s3://$RCDEBUG_BUCKET/kernels/$RCDEBUG_FLAVOR/$RCDEBUG_DIGEST/.
#
# Run as root by packer/aws/kernel-build.pkr.hcl after it uploaded the repository's kernel/
# directory to $RCDEBUG_KERNEL_DIR. The source is AL2023's own kernel source package, of the
# very kernel the builder runs (the builder is the EKS AL2023 AMI the image bake starts from),
# and the base config is that kernel's shipped config, so the debug kernel differs from the
# node's stock kernel only by the flavor fragments.
#
# Exit codes: 0 built and uploaded; 3 the flavor fragments lost options (a user error: the
# fragments must change, retrying cannot help); anything else is an infrastructure failure.
# status.json in the S3 prefix says which, even when the build failed.
set -euo pipefail

: "${RCDEBUG_BUCKET:?set RCDEBUG_BUCKET to the artifacts bucket}"
: "${RCDEBUG_FLAVOR:?set RCDEBUG_FLAVOR (kasan, kcsan)}"
: "${RCDEBUG_DIGEST:?set RCDEBUG_DIGEST to the input digest of the build}"
KERNEL_DIR=${RCDEBUG_KERNEL_DIR:-/tmp/rcdebug/kernel}
WORK=${RCDEBUG_WORK:-/var/tmp/rcdebug-kernel}
JOBS=${RCDEBUG_JOBS:-0}
UPLOAD=${RCDEBUG_UPLOAD:-1}
CYCLE_ID=${RCDEBUG_CYCLE_ID:-}
RC=${RCDEBUG_RC:-}
# Set by a reproducer: the exact source package (name-version-release) of the original build.
SOURCE_NVR=${RCDEBUG_KERNEL_SOURCE:-}

PREFIX="kernels/${RCDEBUG_FLAVOR}/${RCDEBUG_DIGEST}"
DEST="s3://${RCDEBUG_BUCKET}/${PREFIX}"
OUT="$WORK/out"
BUILD="$WORK/build"
TOPDIR="$WORK/rpmbuild"
if [[ "$JOBS" == 0 ]]; then JOBS=$(nproc); fi

rm -rf "$WORK"
mkdir -p "$OUT/rpms" "$BUILD" "$TOPDIR"
touch "$OUT/.started"
exec > >(tee -a "$OUT/build.log") 2>&1

STAGE=setup
log() { printf '%s rcdebug-kernel [%s] %s\n' "$(date -u +%FT%TZ)" "$STAGE" "$*"; }

upload() {
  [[ "$UPLOAD" == 1 ]] || return 0
  aws s3 cp --only-show-errors "$@"
}

# Always leave a status and the log behind, so a failed build can be diagnosed and rerun.
finish() {
  local code=$?
  local result=built
  if [[ $code == 3 ]]; then result=config-rejected; elif [[ $code != 0 ]]; then result=failed; fi
  printf '{"result":"%s","exitCode":%d,"stage":"%s","flavor":"%s","digest":"%s"}\n' \
    "$result" "$code" "$STAGE" "$RCDEBUG_FLAVOR" "$RCDEBUG_DIGEST" > "$OUT/status.json"
  log "finished: $result (exit $code)"
  upload "$OUT/status.json" "$DEST/status.json" || true
  upload "$OUT/build.log" "$DEST/build.log" || true
  exit "$code"
}
trap finish EXIT

# Flavor inputs: the common fragments first, then the flavor's own, each set in name order.
FRAGMENTS=()
for dir in common "$RCDEBUG_FLAVOR"; do
  for f in "$KERNEL_DIR/flavors/$dir"/*.config; do
    if [[ -e "$f" ]]; then FRAGMENTS+=("$f"); fi
  done
done
if [[ ${#FRAGMENTS[@]} == 0 ]]; then
  log "no config fragments under $KERNEL_DIR/flavors/{common,$RCDEBUG_FLAVOR}"
  exit 3
fi
log "fragments: ${FRAGMENTS[*]}"

STAGE=source
RUNNING=$(uname -r)
RUNNING_NVR=$(rpm -qf --queryformat '%{NAME}-%{VERSION}-%{RELEASE}\n' "/lib/modules/$RUNNING/vmlinuz" 2>/dev/null | head -n1 || true)
[[ -n "$RUNNING_NVR" ]] || RUNNING_NVR=$(rpm -qf --queryformat '%{NAME}-%{VERSION}-%{RELEASE}\n' "/boot/vmlinuz-$RUNNING" | head -n1)
if [[ -n "$SOURCE_NVR" && "$SOURCE_NVR" != "$RUNNING_NVR" ]]; then
  log "this builder runs $RUNNING_NVR but the build to reproduce used $SOURCE_NVR: launch the source AMI named in reproduce.sh"
  exit 1
fi
SOURCE_NVR=$RUNNING_NVR
# RCDEBUG_BASE_CONFIG replaces the running kernel's config (tests use it).
BASE_CONFIG=${RCDEBUG_BASE_CONFIG:-/lib/modules/$RUNNING/config}
[[ -r "$BASE_CONFIG" ]] || BASE_CONFIG="/boot/config-$RUNNING"
log "source package $SOURCE_NVR, base config $BASE_CONFIG"

IMDS_TOKEN=$(curl -sf -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 300' http://169.254.169.254/latest/api/token || true)
SOURCE_AMI=$(curl -sf -H "X-aws-ec2-metadata-token: $IMDS_TOKEN" http://169.254.169.254/latest/meta-data/ami-id || echo unknown)

# The reproducer is written and uploaded before the build starts: even a failed build can be
# rerun by hand with exactly these inputs.
cat > "$OUT/reproduce.sh" <<EOF
#!/usr/bin/env bash
# Rebuilds rcdebug kernel ${RCDEBUG_FLAVOR}/${RCDEBUG_DIGEST} by hand.
# 1. Launch an instance from ${SOURCE_AMI} (it runs ${SOURCE_NVR}) with at least 16 vCPUs,
#    120 GiB of disk and read access to s3://${RCDEBUG_BUCKET}/${PREFIX}/.
# 2. Run this script on it as root. The results stay in ${WORK}/out (nothing is uploaded).
set -euo pipefail
rm -rf /tmp/rcdebug/kernel && mkdir -p /tmp/rcdebug/kernel
aws s3 cp --recursive --only-show-errors ${DEST}/inputs/kernel /tmp/rcdebug/kernel
env RCDEBUG_BUCKET=${RCDEBUG_BUCKET} RCDEBUG_FLAVOR=${RCDEBUG_FLAVOR} RCDEBUG_DIGEST=${RCDEBUG_DIGEST} \\
  RCDEBUG_KERNEL_SOURCE=${SOURCE_NVR} RCDEBUG_KERNEL_DIR=/tmp/rcdebug/kernel RCDEBUG_UPLOAD=0 \\
  bash /tmp/rcdebug/kernel/aws/build-al2023-kernel.sh
EOF
chmod +x "$OUT/reproduce.sh"
upload "$OUT/reproduce.sh" "$DEST/reproduce.sh"
upload --recursive "$KERNEL_DIR" "$DEST/inputs/kernel"

log "installing build dependencies"
dnf install -y -q dnf-plugins-core rpm-build gcc make bc bison flex elfutils-libelf-devel \
  openssl openssl-devel perl python3 dwarves rsync tar xz zstd kmod ncurses-devel
cd "$WORK"
dnf download -q --source "$SOURCE_NVR"
SRPMS=("$WORK"/*.src.rpm)
rpm -i --define "_topdir $TOPDIR" "${SRPMS[0]}"
SPECS=("$TOPDIR"/SPECS/*.spec)
SPEC=${SPECS[0]}
dnf builddep -y -q --define "_topdir $TOPDIR" "$SPEC"

STAGE=prep
# %prep unpacks the tarball and applies Amazon's patches; the packaging itself is not used
# (see kernel-rpms below), so the spec's own config handling does not matter.
rpmbuild -bp --nodeps --define "_topdir $TOPDIR" "$SPEC" > "$OUT/rpmbuild-prep.log" 2>&1 || {
  tail -n 50 "$OUT/rpmbuild-prep.log"
  exit 1
}
# The tree's directory name depends on the spec and the rpm version: take the shallowest
# directory that looks like a kernel tree.
SRC=
while read -r _depth kbuild; do
  dir=$(dirname "$kbuild")
  if [[ -f "$dir/Makefile" && -f "$dir/Kconfig" && -d "$dir/arch/x86" ]]; then SRC=$dir; break; fi
done < <(find "$TOPDIR/BUILD" -maxdepth 4 -name Kbuild -printf '%d %p\n' | sort -n)
[[ -n "$SRC" ]] || { log "no kernel tree found under $TOPDIR/BUILD"; exit 1; }
log "kernel tree $SRC ($(make -s -C "$SRC" kernelversion))"

STAGE=config
cp "$BASE_CONFIG" "$BUILD/.config"
# The distribution's signing and trusted-key files are not in the source package; a local
# throwaway key is generated instead. The release suffix keeps the debug kernel apart from the
# stock one in /boot and /lib/modules.
"$SRC/scripts/config" --file "$BUILD/.config" \
  --set-str SYSTEM_TRUSTED_KEYS '' --set-str SYSTEM_REVOCATION_KEYS '' \
  --set-str MODULE_SIG_KEY certs/signing_key.pem \
  --set-str LOCALVERSION "-rcdebug.${RCDEBUG_FLAVOR}" --disable LOCALVERSION_AUTO
"$SRC/scripts/kconfig/merge_config.sh" -m -O "$BUILD" "$BUILD/.config" "${FRAGMENTS[@]}"
make -s -C "$SRC" O="$BUILD" olddefconfig
cp "$BUILD/.config" "$OUT/config"
upload "$OUT/config" "$DEST/config"

STAGE=verify
# The same check as the local cloud: olddefconfig drops options whose dependencies are
# missing without a word, and a "debug kernel" without them would silently find nothing.
set +e
python3 "$KERNEL_DIR/verify-config.py" --config "$BUILD/.config" --srctree "$SRC" --arch x86 "${FRAGMENTS[@]}" > "$OUT/verify.json"
VERIFY=$?
set -e
cat "$OUT/verify.json"
upload "$OUT/verify.json" "$DEST/verify.json"
# verify-config.py: 1 means options were dropped (the fragments' fault), 2 a usage error.
if [[ $VERIFY == 1 ]]; then
  log "the flavor fragments lost options on $SOURCE_NVR (see verify.json)"
  exit 3
elif [[ $VERIFY != 0 ]]; then
  log "verify-config.py failed with exit status $VERIFY"
  exit 1
fi
# The users' option list, whole (kernel/options.list): each option present in this .config or
# explained (gone from this kernel, KCSAN vs KASAN); options.json is the cloud build's table.
python3 "$KERNEL_DIR/verify-config.py" --config "$BUILD/.config" --srctree "$SRC" --arch x86 --list "$KERNEL_DIR/options.list" --flavor "$RCDEBUG_FLAVOR" > "$OUT/options.json" \
  || { upload "$OUT/options.json" "$DEST/options.json"; log "listed options are absent but could be present (see options.json)"; exit 3; }
upload "$OUT/options.json" "$DEST/options.json"

STAGE=compile
KERNEL_RELEASE=$(make -s -C "$SRC" O="$BUILD" kernelrelease)
log "building $KERNEL_RELEASE with $JOBS jobs"
# Modules are stripped in the packages to keep the AMI small; vmlinux keeps its debug
# information and is uploaded separately for symbolizing reports.
make -C "$SRC" O="$BUILD" -j"$JOBS" INSTALL_MOD_STRIP=1 binrpm-pkg

STAGE=upload
# Where binrpm-pkg puts them depends on the kernel version: under the build directory
# (6.2 and later) or in rpmbuild's default top directory.
find "$BUILD" "$HOME/rpmbuild/RPMS" -name '*.rpm' -newer "$OUT/.started" -exec cp {} "$OUT/rpms/" \; 2>/dev/null || true
ls "$OUT"/rpms/*.rpm > /dev/null
zstd -q -T0 -10 "$BUILD/vmlinux" -o "$OUT/vmlinux.zst"
CONFIG_DIGEST="sha256:$(sha256sum "$BUILD/.config" | cut -d' ' -f1)"
# JSON by python3 rather than by hand: the values come from package metadata.
python3 - "$OUT/build.json" "$OUT/rpms" <<EOF
import json, os, sys
json.dump({
    "flavor": "${RCDEBUG_FLAVOR}", "digest": "${RCDEBUG_DIGEST}",
    "kernelRelease": "${KERNEL_RELEASE}", "configDigest": "${CONFIG_DIGEST}",
    "sourcePackage": "${SOURCE_NVR}", "sourceAmi": "${SOURCE_AMI}",
    "cycleId": "${CYCLE_ID}", "rc": "${RC}", "prefix": "${DEST}/",
    "rpms": sorted(f for f in os.listdir(sys.argv[2]) if f.endswith(".rpm")),
    "builtAt": "$(date -u +%FT%TZ)",
}, open(sys.argv[1], "w"), indent=1)
EOF
upload --recursive "$OUT/rpms" "$DEST/rpms"
upload "$OUT/vmlinux.zst" "$DEST/vmlinux.zst"
# build.json goes last: its presence marks a complete upload.
upload "$OUT/build.json" "$DEST/build.json"
cat "$OUT/build.json"
STAGE=complete
