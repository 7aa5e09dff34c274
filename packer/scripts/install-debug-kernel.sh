#!/usr/bin/env bash
# Installs the debug kernel of a kernel-build from S3 and makes it the default boot entry,
# with the boot arguments of its flavor. Run as root during the image bake.
# RCDEBUG_ROOT prefixes the paths it writes; only tests set it.
set -euo pipefail
: "${RCDEBUG_KERNEL_PREFIX:?s3://<bucket>/kernels/<flavor>/<digest>/}"
: "${RCDEBUG_KERNEL_RELEASE:?uname -r of the debug kernel}"
: "${RCDEBUG_FLAVOR:?kernel flavor}"
FLAVORS_DIR=${RCDEBUG_FLAVORS_DIR:-/tmp/rcdebug/flavors}
ROOT=${RCDEBUG_ROOT:-}
REL=$RCDEBUG_KERNEL_RELEASE
RPMS=$ROOT/var/tmp/rcdebug-rpms
# How one object of the prefix is copied to a local file (`<cmd> <source> <dest>`): the AWS
# CLI by default; a cloud whose bake fetched the prefix to a local directory first sets `cp`.
FETCH=${RCDEBUG_FETCH:-aws s3 cp --only-show-errors}

rm -rf "$RPMS" && mkdir -p "$RPMS"
# build.json names the packages, so the instance needs s3:GetObject on the prefix only
# (no ListBucket on the artifacts bucket).
$FETCH "${RCDEBUG_KERNEL_PREFIX}build.json" "$RPMS/build.json"
mapfile -t PACKAGES < <(python3 -c 'import json,sys; print("\n".join(json.load(open(sys.argv[1]))["rpms"]))' "$RPMS/build.json")
for rpm in "${PACKAGES[@]}"; do
  # kernel-headers would replace the distribution's, which glibc's headers depend on; the
  # nodes build no userspace, and out-of-tree modules use kernel-devel.
  [[ "$rpm" == kernel-headers-* ]] && continue
  $FETCH "${RCDEBUG_KERNEL_PREFIX}rpms/$rpm" "$RPMS/$rpm"
done
# dnf treats kernel packages as install-only: the stock kernel stays as a fallback entry.
dnf install -y -q "$RPMS"/*.rpm

VMLINUZ=/boot/vmlinuz-$REL
INITRD=/boot/initramfs-$REL.img
[[ -f "$ROOT$VMLINUZ" ]] || cp "$ROOT/lib/modules/$REL/vmlinuz" "$ROOT$VMLINUZ"
[[ -f "$ROOT$INITRD" ]] || dracut --force "$ROOT$INITRD" "$REL"
if ! grubby --info="$VMLINUZ" > /dev/null 2>&1; then
  grubby --add-kernel="$VMLINUZ" --initrd="$INITRD" --title="rcdebug $RCDEBUG_FLAVOR $REL" --copy-default
fi

# Boot arguments: the common ones, then the flavor's (`#` starts a comment), then kmemleak on
# explicitly so a distribution default of "off" cannot hide leaks.
ARGS=
for f in "$FLAVORS_DIR/common/cmdline" "$FLAVORS_DIR/$RCDEBUG_FLAVOR/cmdline"; do
  if [[ -r "$f" ]]; then ARGS+=" $(sed -e 's/#.*//' "$f" | tr -s ' \n' ' ')"; fi
done
ARGS="$(echo "$ARGS kmemleak=on" | xargs)"
grubby --update-kernel="$VMLINUZ" --args="$ARGS"
grubby --set-default="$VMLINUZ"
if [[ "$(grubby --default-kernel)" != "$VMLINUZ" ]]; then
  echo "rcdebug: the default kernel is $(grubby --default-kernel), not $VMLINUZ" >&2
  exit 1
fi
install -d -m 0755 "$ROOT/etc/rcdebug"
printf 'RCDEBUG_FLAVOR=%s\nRCDEBUG_KERNEL_RELEASE=%s\nRCDEBUG_BOOT_ARGS="%s"\n' "$RCDEBUG_FLAVOR" "$REL" "$ARGS" > "$ROOT/etc/rcdebug/image.env"
echo "rcdebug: default kernel $VMLINUZ with: $(grubby --info="$VMLINUZ" | sed -n 's/^args=//p')"
rm -rf "$RPMS"
