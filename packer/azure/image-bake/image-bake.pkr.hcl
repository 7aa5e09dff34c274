# image-bake (azure): the Ubuntu LTS image of the workload nodes with the debug kernel of a
# kernel-build as default boot entry, the flavor's boot arguments with console=ttyS0 (the
# serial log boot diagnostics keeps), kmemleak on and the double-scan timer; booted once and
# checked to run the debug kernel; deprovisioned with waagent last; published as the version
# gallery_version of the flavor's image definition (Security type Standard: an unsigned debug
# kernel cannot boot with Secure Boot, so Trusted Launch is off).

packer {
  required_version = ">= 1.11.0"
  required_plugins {
    azure = {
      source  = "github.com/hashicorp/azure"
      version = "~> 1.4"
    }
  }
}

variable "gallery" {
  type        = string
  description = "Compute Gallery of the debug images."
}

variable "image_definition" {
  type        = string
  description = "Image definition of the flavor (rcdebug-<flavor>), created once as docs/azure.md says."
}

variable "gallery_version" {
  type        = string
  description = "Version name Major.Minor.Patch, mapped from the rc and the digest by the activity."
  validation {
    condition     = can(regex("^[0-9]{1,10}[.][0-9]{1,10}[.][0-9]{1,10}$", var.gallery_version))
    error_message = "A gallery image version is Major.Minor.Patch of 32-bit integers."
  }
}

variable "kernel_digest" {
  type        = string
  description = "Digest of the kernel-build whose packages are installed."
}

variable "kernel_release" {
  type        = string
  description = "uname -r of the debug kernel; the bake fails when the image boots anything else."
}

variable "scripts_dir" {
  type        = string
  default     = ""
  description = "The repository packer/scripts directory (kmemleak scan timer, node files); empty means the one next to this template."
}

variable "scan_interval" {
  type        = string
  default     = "30min"
  description = "systemd OnUnitActiveSec of the kmemleak double-scan timer."
}

variable "scan_wait_seconds" {
  type        = number
  default     = 60
  description = "Seconds between the two scans of a double scan."
}

locals {
  kernel_dir  = var.kernel_dir != "" ? var.kernel_dir : "${path.root}/../../../kernel"
  scripts_dir = var.scripts_dir != "" ? var.scripts_dir : "${path.root}/../../scripts"
  tags = {
    "rcdebug-managed"        = "true"
    "rcdebug-cycle"          = var.cycle_id
    "rcdebug-rc"             = var.rc
    "rcdebug-flavor"         = var.flavor
    "rcdebug-digest"         = var.digest
    "rcdebug-kernel-release" = var.kernel_release
  }
}

source "azure-arm" "debug_node" {
  subscription_id                  = var.subscription_id
  use_azure_cli_auth               = var.use_azure_cli_auth
  location                         = var.location
  vm_size                          = var.vm_size
  os_type                          = "Linux"
  image_publisher                  = var.image_publisher
  image_offer                      = var.image_offer
  image_sku                        = var.image_sku
  image_version                    = var.image_version
  user_assigned_managed_identities = var.builder_identity == "" ? [] : [var.builder_identity]
  # An unsigned debug kernel: no Secure Boot, no vTPM (Trusted Launch off).
  secure_boot_enabled = false
  vtpm_enabled        = false

  shared_image_gallery_destination {
    subscription         = var.subscription_id
    resource_group       = var.resource_group
    gallery_name         = var.gallery
    image_name           = var.image_definition
    image_version        = var.gallery_version
    replication_regions  = [var.location]
    storage_account_type = "Standard_LRS"
  }
  shared_image_gallery_replica_count = 1
  azure_tags                         = local.tags
}

build {
  name    = "rcdebug-image"
  sources = ["source.azure-arm.debug_node"]

  provisioner "shell" {
    inline = ["rm -rf /tmp/rcdebug && mkdir -p /tmp/rcdebug/flavors /tmp/rcdebug/scripts /tmp/rcdebug/azure"]
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
    destination = "/tmp/rcdebug/azure"
  }

  provisioner "shell" {
    environment_vars = [
      "RCDEBUG_KERNEL_URL=${var.storage_url}/${var.container}/kernels/${var.flavor}/${var.kernel_digest}/",
      "RCDEBUG_KERNEL_RELEASE=${var.kernel_release}",
      "RCDEBUG_FLAVOR=${var.flavor}",
      "RCDEBUG_FLAVORS_DIR=/tmp/rcdebug/flavors",
      "RCDEBUG_SCAN_INTERVAL=${var.scan_interval}",
      "RCDEBUG_SCAN_WAIT=${var.scan_wait_seconds}",
      "RCDEBUG_NODE_FILES=/tmp/rcdebug/scripts/node",
    ]
    execute_command = "chmod +x {{ .Path }}; sudo env {{ .Vars }} bash {{ .Path }}"
    scripts = [
      "${path.root}/../scripts/install-ubuntu-debug-kernel.sh",
      "${local.scripts_dir}/install-kmemleak-scan.sh",
    ]
  }

  # Boot the image once: a version whose debug kernel does not come up would only fail later,
  # as a scale set whose nodes never join.
  provisioner "shell" {
    inline            = ["sudo systemctl reboot"]
    expect_disconnect = true
  }

  provisioner "shell" {
    pause_before        = "30s"
    start_retry_timeout = "15m"
    environment_vars    = ["RCDEBUG_KERNEL_RELEASE=${var.kernel_release}"]
    execute_command     = "chmod +x {{ .Path }}; sudo env {{ .Vars }} bash {{ .Path }}"
    script              = "${path.root}/../scripts/check-ubuntu-debug-kernel.sh"
  }

  # Last: generalize the VM for the gallery (the azure-arm builder captures after this).
  provisioner "shell" {
    execute_command = "chmod +x {{ .Path }}; {{ .Vars }} sudo -E sh '{{ .Path }}'"
    inline          = ["rm -rf /tmp/rcdebug /var/tmp/rcdebug-debs", "/usr/sbin/waagent -force -deprovision+user && export HISTSIZE=0 && sync"]
    inline_shebang  = "/bin/sh -x"
  }

  post-processor "manifest" {
    output     = var.manifest_path
    strip_path = true
    custom_data = {
      step            = "image-bake"
      flavor          = var.flavor
      digest          = var.digest
      kernel_digest   = var.kernel_digest
      kernel_release  = var.kernel_release
      gallery_version = var.gallery_version
      cycle_id        = var.cycle_id
      rc              = var.rc
    }
  }
}
