#!/usr/bin/env bash
# Installs the rcdebug debug kernel on the Ubuntu image being baked (packer/gcp/image-bake.pkr.hcl):
# the .debs of the kernel build as default kernel, the flavor's boot arguments plus
# console=ttyS0 (the serial console getSerialPortOutput and serial-port logging read),
# kmemleak on, a double-scan timer, and kubeadm/kubelet/containerd of RCDEBUG_K8S_VERSION for
# the workload cluster's startup script.
set -euo pipefail
: "${RCDEBUG_BUCKET:?}" "${RCDEBUG_FLAVOR:?}" "${RCDEBUG_KERNEL_DIGEST:?}" "${RCDEBUG_KERNEL_RELEASE:?}" "${RCDEBUG_K8S_VERSION:?}"
KERNEL_DIR=${RCDEBUG_KERNEL_DIR:-/tmp/rcdebug/kernel}
export DEBIAN_FRONTEND=noninteractive

mkdir -p /var/tmp/rcdebug-debs
gcloud storage cp "gs://${RCDEBUG_BUCKET}/kernels/${RCDEBUG_FLAVOR}/${RCDEBUG_KERNEL_DIGEST}/debs/*.deb" /var/tmp/rcdebug-debs/
apt-get install -y -q /var/tmp/rcdebug-debs/*.deb

# Boot arguments: the common ones, then the flavor's (`#` starts a comment).
ARGS="console=ttyS0,115200 kmemleak=on $(sed -e 's/#.*//' "$KERNEL_DIR/flavors/common/cmdline" "$KERNEL_DIR/flavors/${RCDEBUG_FLAVOR}/cmdline" 2>/dev/null | tr -s ' \n' ' ')"
cat > /etc/default/grub.d/99-rcdebug.cfg <<GRUB
GRUB_DEFAULT="Advanced options for Ubuntu>Ubuntu, with Linux ${RCDEBUG_KERNEL_RELEASE}"
GRUB_CMDLINE_LINUX_DEFAULT="\$GRUB_CMDLINE_LINUX_DEFAULT ${ARGS}"
GRUB
update-grub

# The double scan every 10 minutes, its result to the kernel log (the DaemonSet asks for more).
cat > /usr/local/sbin/rcdebug-kmemleak-scan <<'SCAN'
#!/bin/sh
set -e
test -w /sys/kernel/debug/kmemleak || mount -t debugfs none /sys/kernel/debug
echo scan > /sys/kernel/debug/kmemleak
sleep "${1:-60}"
echo scan > /sys/kernel/debug/kmemleak
sed 's/^/rcdebug-kmemleak: /' /sys/kernel/debug/kmemleak > /dev/kmsg
SCAN
chmod 755 /usr/local/sbin/rcdebug-kmemleak-scan
printf '[Unit]\nDescription=rcdebug kmemleak double scan\n[Service]\nType=oneshot\nExecStart=/usr/local/sbin/rcdebug-kmemleak-scan 60\n' > /etc/systemd/system/rcdebug-kmemleak.service
printf '[Unit]\nDescription=rcdebug kmemleak double scan timer\n[Timer]\nOnBootSec=10min\nOnUnitActiveSec=10min\n[Install]\nWantedBy=timers.target\n' > /etc/systemd/system/rcdebug-kmemleak.timer
systemctl enable rcdebug-kmemleak.timer

# kubeadm, kubelet and containerd of the cluster's version (pkgs.k8s.io), held at that version.
apt-get install -y -q containerd apt-transport-https ca-certificates curl gpg
mkdir -p /etc/apt/keyrings
curl -fsSL "https://pkgs.k8s.io/core:/stable:/v${RCDEBUG_K8S_VERSION}/deb/Release.key" | gpg --dearmor -o /etc/apt/keyrings/kubernetes.gpg
echo "deb [signed-by=/etc/apt/keyrings/kubernetes.gpg] https://pkgs.k8s.io/core:/stable:/v${RCDEBUG_K8S_VERSION}/deb/ /" > /etc/apt/sources.list.d/kubernetes.list
apt-get update -q && apt-get install -y -q kubelet kubeadm kubectl && apt-mark hold kubelet kubeadm kubectl
mkdir -p /etc/containerd && containerd config default | sed 's/SystemdCgroup = false/SystemdCgroup = true/' > /etc/containerd/config.toml
systemctl enable containerd kubelet
