# kernel-build (gcp): a throwaway Compute Engine VM from the Ubuntu LTS image family the
# workload nodes use builds the flavor's debug kernel from the distribution's source with the
# flavor fragments and kernel/gcp/gcp.config, and uploads the .debs, .config, build log,
# option check and reproducer to gs://<bucket>/kernels/<flavor>/<digest>/. No image is made.

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
  type        = string
  description = "GCP project of the builder VM."
}

variable "zone" {
  type        = string
  description = "Zone of the builder VM."
}

variable "bucket" {
  type        = string
  description = "Cloud Storage bucket the build is uploaded to."
}

variable "flavor" {
  type        = string
  description = "Kernel flavor: a directory under kernel/flavors/."
  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9-]*$", var.flavor)) && var.flavor != "common"
    error_message = "The flavor must be a lower-case name of a directory under kernel/flavors/ other than common."
  }
}

variable "digest" {
  type        = string
  description = "Input digest of the build (the upload prefix and cache key)."
}

variable "source_image" {
  type        = string
  description = "Ubuntu LTS image the nodes use, resolved by the activity from its family."
}

variable "machine_type" {
  type    = string
  default = "n2-standard-16"
}

variable "cycle_label" {
  type        = string
  description = "The cycle id in GCP's label charset."
  validation {
    condition     = can(regex("^[a-z0-9_-]{0,63}$", var.cycle_label))
    error_message = "A label value has at most 63 lowercase letters, digits, '-' and '_'."
  }
}

variable "rc_label" {
  type        = string
  description = "The release candidate in GCP's label charset."
  validation {
    condition     = can(regex("^[a-z0-9_-]{0,63}$", var.rc_label))
    error_message = "A label value has at most 63 lowercase letters, digits, '-' and '_'."
  }
}

variable "kernel_dir" {
  type        = string
  description = "The repository's kernel/ directory."
}

variable "result_dir" {
  type        = string
  description = "Local folder build.json is downloaded to."
}

variable "manifest_path" {
  type        = string
  description = "Where the manifest post-processor writes its JSON."
}

source "googlecompute" "kernel_builder" {
  project_id          = var.project_id
  zone                = var.zone
  source_image        = var.source_image
  source_image_family = ""
  machine_type        = var.machine_type
  disk_size           = 120
  disk_type           = "pd-ssd"
  ssh_username        = "packer"
  skip_create_image   = true
  scopes              = ["https://www.googleapis.com/auth/devstorage.read_write"]
  labels = {
    managed-by     = "rcdebug"
    rcdebug-cycle  = var.cycle_label
    rcdebug-rc     = var.rc_label
    rcdebug-flavor = var.flavor
    rcdebug-role   = "kernel-builder"
  }
}

build {
  sources = ["source.googlecompute.kernel_builder"]

  provisioner "file" {
    source      = var.kernel_dir
    destination = "/tmp/rcdebug"
  }

  provisioner "shell" {
    execute_command = "sudo -E bash '{{ .Path }}'"
    environment_vars = [
      "RCDEBUG_BUCKET=${var.bucket}",
      "RCDEBUG_FLAVOR=${var.flavor}",
      "RCDEBUG_DIGEST=${var.digest}",
      "RCDEBUG_KERNEL_DIR=/tmp/rcdebug/kernel",
    ]
    script = "${var.kernel_dir}/gcp/build-ubuntu-kernel.sh"
  }

  provisioner "file" {
    direction   = "download"
    source      = "/var/tmp/rcdebug-kernel/out/build.json"
    destination = "${var.result_dir}/build.json"
  }

  post-processor "manifest" {
    output     = var.manifest_path
    strip_path = true
  }
}
