# image-bake (gcp): the Ubuntu LTS image the nodes use with the flavor's debug kernel as
# default kernel, the flavor's boot arguments plus console=ttyS0, kmemleak on with a
# double-scan timer, kubeadm and its runtime, into the image family rcdebug-<flavor>. The
# image is labelled (cycle, rc, flavor, digest, managed-by: values in GCP's label charset).
# An unsigned debug kernel does not boot under Shielded VM secure boot: the builder and every
# node run with it off. The image is booted once and checked to run the debug kernel release.

packer {
  required_version = ">= 1.11.0"
  required_plugins {
    googlecompute = {
      source  = "github.com/hashicorp/googlecompute"
      version = "~> 1.1"
    }
  }
}

variable "project_id" {
  type = string
}

variable "zone" {
  type = string
}

variable "bucket" {
  type        = string
  description = "Cloud Storage bucket holding the kernel build."
}

variable "flavor" {
  type = string
  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9-]*$", var.flavor)) && var.flavor != "common"
    error_message = "The flavor must be a lower-case name of a directory under kernel/flavors/ other than common."
  }
}

variable "digest" {
  type        = string
  description = "Input digest of the image (label rcdebug-digest; the registry's cache key)."
  validation {
    condition     = can(regex("^[a-z0-9_-]{1,63}$", var.digest))
    error_message = "The digest is a label value: at most 63 lowercase letters, digits, '-' and '_'."
  }
}

variable "kernel_digest" {
  type        = string
  description = "Digest of the kernel build whose .debs are installed."
}

variable "kernel_release" {
  type        = string
  description = "uname -r of the debug kernel; the bake checks the image boots it."
}

variable "source_image" {
  type = string
}

variable "image_family" {
  type        = string
  description = "rcdebug-<flavor>: the family resolves to the newest image not deprecated."
}

variable "machine_type" {
  type    = string
  default = "n2-standard-4"
}

variable "k8s_version" {
  type = string
  validation {
    condition     = can(regex("^1\\.[0-9]+$", var.k8s_version))
    error_message = "The Kubernetes version is major.minor, e.g. 1.33."
  }
}

variable "cycle_label" {
  type = string
  validation {
    condition     = can(regex("^[a-z0-9_-]{0,63}$", var.cycle_label))
    error_message = "A label value has at most 63 lowercase letters, digits, '-' and '_'."
  }
}

variable "rc_label" {
  type = string
  validation {
    condition     = can(regex("^[a-z0-9_-]{0,63}$", var.rc_label))
    error_message = "A label value has at most 63 lowercase letters, digits, '-' and '_'."
  }
}

variable "kernel_dir" {
  type = string
}

variable "scripts_dir" {
  type = string
}

variable "manifest_path" {
  type = string
}

locals {
  image_name = "rcdebug-${var.flavor}-${substr(var.digest, 0, 12)}-${formatdate("YYYYMMDDhhmmss", timestamp())}"
}

source "googlecompute" "debug_node" {
  project_id              = var.project_id
  zone                    = var.zone
  source_image            = var.source_image
  machine_type            = var.machine_type
  disk_size               = 50
  ssh_username            = "packer"
  enable_secure_boot      = false
  image_name              = local.image_name
  image_family            = var.image_family
  image_description       = "rcdebug debug image: kernel ${var.kernel_release}"
  image_guest_os_features = ["VIRTIO_SCSI_MULTIQUEUE", "GVNIC", "UEFI_COMPATIBLE"]
  scopes                  = ["https://www.googleapis.com/auth/devstorage.read_only"]
  metadata = {
    serial-port-logging-enable = "true"
  }
  image_labels = {
    managed-by     = "rcdebug"
    rcdebug-cycle  = var.cycle_label
    rcdebug-rc     = var.rc_label
    rcdebug-flavor = var.flavor
    rcdebug-digest = var.digest
  }
}

build {
  sources = ["source.googlecompute.debug_node"]

  provisioner "file" {
    source      = var.kernel_dir
    destination = "/tmp/rcdebug"
  }

  provisioner "shell" {
    execute_command = "sudo -E bash '{{ .Path }}'"
    environment_vars = [
      "RCDEBUG_BUCKET=${var.bucket}",
      "RCDEBUG_FLAVOR=${var.flavor}",
      "RCDEBUG_KERNEL_DIGEST=${var.kernel_digest}",
      "RCDEBUG_KERNEL_RELEASE=${var.kernel_release}",
      "RCDEBUG_K8S_VERSION=${var.k8s_version}",
      "RCDEBUG_KERNEL_DIR=/tmp/rcdebug/kernel",
    ]
    script = "${var.kernel_dir}/gcp/install-debug-kernel.sh"
  }

  # Boot once into the new default kernel, then check it is the debug release.
  provisioner "shell" {
    inline            = ["sudo reboot"]
    expect_disconnect = true
  }

  provisioner "shell" {
    pause_before = "30s"
    inline       = ["test \"$(uname -r)\" = '${var.kernel_release}' && echo 'rcdebug: ${var.kernel_release} boots'"]
  }

  post-processor "manifest" {
    output     = var.manifest_path
    strip_path = true
  }
}
