# kernel-build (azure): builds the debug kernel of one flavor on a throwaway VM of the Ubuntu
# LTS image the workload nodes run and uploads the .deb packages, .config, build log, option
# check and reproducer to <container>/kernels/<flavor>/<digest>/. No image is captured: the
# image bake installs the packages. Run on this folder (packer init, then packer build), which
# links the shared ../variables.pkr.hcl; the activity passes every variable with -var and reads
# the manifest it writes.

packer {
  required_version = ">= 1.11.0"
  required_plugins {
    azure = {
      source  = "github.com/hashicorp/azure"
      version = "~> 1.4"
    }
  }
}

variable "result_dir" {
  type        = string
  default     = "."
  description = "Local directory that receives build.json from the builder."
}

variable "build_jobs" {
  type        = number
  default     = 0
  description = "make -j for the kernel build; 0 means one per vCPU."
}

locals {
  kernel_dir = var.kernel_dir != "" ? var.kernel_dir : "${path.root}/../../../kernel"
  prefix     = "kernels/${var.flavor}/${var.digest}"
  tags = {
    "rcdebug-managed" = "true"
    "rcdebug-cycle"   = var.cycle_id
    "rcdebug-rc"      = var.rc
    "rcdebug-flavor"  = var.flavor
    "rcdebug-digest"  = var.digest
    "rcdebug-step"    = "kernel-build"
  }
}

source "azure-arm" "kernel_builder" {
  subscription_id    = var.subscription_id
  use_azure_cli_auth = var.use_azure_cli_auth
  location           = var.location
  vm_size            = var.vm_size
  os_type            = "Linux"
  image_publisher    = var.image_publisher
  image_offer        = var.image_offer
  image_sku          = var.image_sku
  image_version      = var.image_version
  os_disk_size_gb    = 150
  # The product of this build is the set of packages in Blob Storage; the plugin (v1.4) still
  # captures the builder as a managed image, which nothing uses: docs/azure.md's cleanup and
  # the rcdebug-step tag find it.
  managed_image_name                = "rcdebug-kbuild-${var.flavor}-${substr(var.digest, 0, 8)}"
  managed_image_resource_group_name = var.resource_group
  user_assigned_managed_identities  = var.builder_identity == "" ? [] : [var.builder_identity]
  azure_tags                        = local.tags
}

build {
  name    = "rcdebug-kernel"
  sources = ["source.azure-arm.kernel_builder"]

  provisioner "shell" {
    inline = ["rm -rf /tmp/rcdebug && mkdir -p /tmp/rcdebug/kernel"]
  }

  provisioner "file" {
    source      = "${local.kernel_dir}/"
    destination = "/tmp/rcdebug/kernel"
  }

  provisioner "shell" {
    script = "${local.kernel_dir}/azure/build-ubuntu-kernel.sh"
    environment_vars = [
      "RCDEBUG_STORAGE_URL=${var.storage_url}",
      "RCDEBUG_CONTAINER=${var.container}",
      "RCDEBUG_FLAVOR=${var.flavor}",
      "RCDEBUG_DIGEST=${var.digest}",
      "RCDEBUG_CYCLE_ID=${var.cycle_id}",
      "RCDEBUG_RC=${var.rc}",
      "RCDEBUG_JOBS=${var.build_jobs}",
      "RCDEBUG_KERNEL_DIR=/tmp/rcdebug/kernel",
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
      step     = "kernel-build"
      prefix   = "${var.storage_url}/${var.container}/${local.prefix}/"
      flavor   = var.flavor
      digest   = var.digest
      cycle_id = var.cycle_id
      rc       = var.rc
      image    = "${var.image_publisher}:${var.image_offer}:${var.image_sku}:${var.image_version}"
    }
  }
}
