# kernel-build (oci): one flavor of the UEK debug kernel, built on a throwaway instance of the
# OKE Oracle Linux worker image (the kernel source is the UEK those nodes run) by
# kernel/oci/build-uek-kernel.sh, which uploads RPMs, .config, build log, option check and a
# reproducer to kernels/oci/<flavor>/<digest>/ with the instance's own principal. No image is
# kept: the builder is deleted afterwards.
packer {
  required_version = ">= 1.11.0"
  required_plugins {
    oracle = {
      source  = "github.com/hashicorp/oracle"
      version = "~> 1.0"
    }
  }
}

variable "result_dir" {
  type        = string
  default     = "."
  description = "Local directory that receives build.json from the builder."
}

variable "boot_volume_gb" {
  type        = number
  default     = 150
  description = "Boot volume of the builder: source, objects with debug information and the packages."
}

variable "build_jobs" {
  type        = number
  default     = 0
  description = "make -j for the kernel build; 0 means one per vCPU."
}

source "oracle-oci" "kernel_builder" {
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
    ocpus = var.ocpus
  }
  disk_size         = var.boot_volume_gb
  ssh_username      = "opc"
  ssh_timeout       = "15m"
  skip_create_image = true
  image_name        = "rcdebug-kernel-build-${var.flavor}-${substr(var.digest, 0, 8)}"
  instance_name     = "rcdebug-kernel-build-${var.flavor}"
  instance_tags     = merge(local.tags, { "rcdebug-step" = "kernel-build" })
}

build {
  name    = "rcdebug-kernel"
  sources = ["source.oracle-oci.kernel_builder"]

  provisioner "shell" {
    inline = ["rm -rf /tmp/rcdebug && mkdir -p /tmp/rcdebug/kernel"]
  }

  provisioner "file" {
    source      = "${local.kernel_dir}/"
    destination = "/tmp/rcdebug/kernel"
  }

  provisioner "shell" {
    script = "${local.kernel_dir}/oci/build-uek-kernel.sh"
    environment_vars = [
      "RCDEBUG_NAMESPACE=${var.namespace}",
      "RCDEBUG_BUCKET=${var.bucket}",
      "RCDEBUG_FLAVOR=${var.flavor}",
      "RCDEBUG_DIGEST=${var.digest}",
      "RCDEBUG_CYCLE_ID=${var.cycle_id}",
      "RCDEBUG_RC=${var.rc}",
      "RCDEBUG_JOBS=${var.build_jobs}",
      "RCDEBUG_KERNEL_DIR=/tmp/rcdebug/kernel",
      "OCI_CLI_REGION=${var.region}",
    ]
    execute_command = "chmod +x {{ .Path }}; sudo env {{ .Vars }} {{ .Path }}"
    timeout         = "5h"
  }

  provisioner "file" {
    direction   = "download"
    source      = "/var/tmp/rcdebug-kernel/out/build.json"
    destination = "${var.result_dir}/build.json"
  }

  post-processor "manifest" {
    output     = var.manifest_path
    strip_path = true
    custom_data = {
      step        = "kernel-build"
      prefix      = "oci://${var.namespace}/${var.bucket}/kernels/oci/${var.flavor}/${var.digest}/"
      flavor      = var.flavor
      digest      = var.digest
      cycle_id    = var.cycle_id
      rc          = var.rc
      k8s_version = var.k8s_version
      base_image  = var.base_image_ocid
    }
  }
}
