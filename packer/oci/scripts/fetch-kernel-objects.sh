#!/usr/bin/env bash
# Copies a kernel build's objects (build.json, rpms/) from Object Storage to a local directory
# with the instance's own principal (a dynamic group policy lets the bake instance read the
# bucket), so the shared install-debug-kernel.sh installs them with RCDEBUG_FETCH=cp.
set -euo pipefail
: "${RCDEBUG_NAMESPACE:?Object Storage namespace}"
: "${RCDEBUG_BUCKET:?bucket of kernel builds}"
: "${RCDEBUG_KERNEL_OBJECTS:?kernels/oci/<flavor>/<digest>/}"
: "${RCDEBUG_KERNEL_PREFIX:?local directory, ending in /}"
command -v oci >/dev/null || dnf install -y -q python39-oci-cli || dnf install -y -q python36-oci-cli
rm -rf "$RCDEBUG_KERNEL_PREFIX" && mkdir -p "$RCDEBUG_KERNEL_PREFIX"
oci os object bulk-download --auth instance_principal --namespace "$RCDEBUG_NAMESPACE" --bucket-name "$RCDEBUG_BUCKET" \
  --prefix "$RCDEBUG_KERNEL_OBJECTS" --include 'build.json' --include 'rpms/*' --download-dir /var/tmp/rcdebug-download --overwrite
cp -r "/var/tmp/rcdebug-download/$RCDEBUG_KERNEL_OBJECTS". "$RCDEBUG_KERNEL_PREFIX"
