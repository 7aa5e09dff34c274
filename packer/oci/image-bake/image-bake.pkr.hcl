# image-bake (oci): a custom image from the OKE Oracle Linux worker image (OKE's node bootstrap
# stays, so a managed node pool can boot it) with the debug kernel as the default boot entry,
# the flavor's boot arguments, kmemleak on and the double-scan timer, and the Oracle Cloud
# Agent's Run Command and Custom Logs plugins on. The instance is rebooted once and must come up
# on the debug kernel before the image is taken. Shielded Instances stay off: the debug kernel
# is unsigned. The image carries the freeform tags the registry and the janitor read.
packer {
  required_version = ">= 1.11.0"
  required_plugins {
    oracle = {
      source  = "github.com/hashicorp/oracle"
      version = "~> 1.0"
    }
  }
}

variable "kernel_digest" {
  type        = string
  description = "Digest of the kernel build whose RPMs are installed."
}

variable "kernel_release" {
  type        = string
  description = "uname -r of the debug kernel (build.json's kernelRelease); the bake checks the image boots it."
}

variable "kernel_prefix" {
  type        = string
  description = "Object prefix of the kernel build: kernels/oci/<flavor>/<kernel digest>/."
}

variable "scripts_dir" {
  type        = string
  default     = ""
  description = "packer/scripts/ (shared provisioning scripts and node files); empty means the one next to this template."
}

variable "scan_interval" {
  type        = string
  default     = "30min"
  description = "Period of the kmemleak double-scan timer on the nodes."
}

variable "scan_wait_seconds" {
  type        = number
  default     = 60
  description = "Seconds between the two scans of a double scan."
}

locals {
  scripts_dir = var.scripts_dir != "" ? var.scripts_dir : "${path.root}/../../scripts"
  image_tags = merge(local.tags, {
    "rcdebug-kernel-release" = var.kernel_release
    "rcdebug-kernel-digest"  = var.kernel_digest
    "rcdebug-k8s-version"    = var.k8s_version
  })
}

source "oracle-oci" "debug_node" {
  region              = var.region
  tenancy_ocid        = var.tenancy_ocid
  user_ocid           = var.user_ocid
  fingerprint         = var.fingerprint
  key_file            = var.key_file
  compartment_ocid    = var.compartment_ocid
  availability_domain = var.availability_domain
  subnet_ocid         = var.subnet_ocid
  base_image_ocid     = var.base_image_ocid
  shape               = var.shape
  shape_config {
    ocpus = 2
  }
  ssh_username  = "opc"
  ssh_timeout   = "15m"
  image_name    = "rcdebug-${var.flavor}-${substr(var.digest, 0, 12)}"
  instance_name = "rcdebug-image-bake-${var.flavor}"
  instance_tags = merge(local.tags, { "rcdebug-step" = "image-bake" })
  tags          = local.image_tags
}

build {
  name    = "rcdebug-image"
  sources = ["source.oracle-oci.debug_node"]

  provisioner "shell" {
    inline = ["rm -rf /tmp/rcdebug && mkdir -p /tmp/rcdebug/flavors /tmp/rcdebug/scripts /tmp/rcdebug/oci"]
  }

  provisioner "file" {
    source      = "${local.kernel_dir}/flavors/"
    destination = "/tmp/rcdebug/flavors"
  }

  provisioner "file" {
    source      = "${local.scripts_dir}/"
    destination = "/tmp/rcdebug/scripts"
  }

  provisioner "file" {
    source      = "${path.root}/../scripts/"
    destination = "/tmp/rcdebug/oci"
  }

  provisioner "shell" {
    environment_vars = [
      "RCDEBUG_NAMESPACE=${var.namespace}",
      "RCDEBUG_BUCKET=${var.bucket}",
      "RCDEBUG_KERNEL_OBJECTS=${var.kernel_prefix}",
      "RCDEBUG_KERNEL_PREFIX=/var/tmp/rcdebug-kernel-objects/",
      "RCDEBUG_FETCH=cp",
      "RCDEBUG_KERNEL_RELEASE=${var.kernel_release}",
      "RCDEBUG_FLAVOR=${var.flavor}",
      "RCDEBUG_FLAVORS_DIR=/tmp/rcdebug/flavors",
      "RCDEBUG_SCAN_INTERVAL=${var.scan_interval}",
      "RCDEBUG_SCAN_WAIT=${var.scan_wait_seconds}",
      "RCDEBUG_NODE_FILES=/tmp/rcdebug/scripts/node",
      "OCI_CLI_REGION=${var.region}",
    ]
    execute_command = "chmod +x {{ .Path }}; sudo env {{ .Vars }} {{ .Path }}"
    scripts = [
      "${path.root}/../scripts/fetch-kernel-objects.sh",
      "${local.scripts_dir}/install-debug-kernel.sh",
      "${local.scripts_dir}/install-kmemleak-scan.sh",
      "${path.root}/../scripts/enable-agent-plugins.sh",
    ]
  }

  provisioner "shell" {
    inline            = ["sudo systemctl reboot"]
    expect_disconnect = true
  }

  provisioner "shell" {
    pause_before     = "30s"
    environment_vars = ["RCDEBUG_KERNEL_RELEASE=${var.kernel_release}"]
    execute_command  = "chmod +x {{ .Path }}; sudo env {{ .Vars }} {{ .Path }}"
    scripts = [
      "${path.root}/../scripts/check-oci-node.sh",
      "${local.scripts_dir}/cleanup-image.sh",
    ]
  }

  post-processor "manifest" {
    output     = var.manifest_path
    strip_path = true
    custom_data = {
      step           = "image-bake"
      flavor         = var.flavor
      digest         = var.digest
      kernel_release = var.kernel_release
      cycle_id       = var.cycle_id
      rc             = var.rc
    }
  }
}
