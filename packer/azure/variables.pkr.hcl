# Variables both azure templates share; the activity passes every one of them (-var).

variable "subscription_id" {
  type        = string
  description = "Subscription of the builder VM and the gallery."
}

variable "resource_group" {
  type        = string
  description = "Resource group of the long-lived rcdebug resources (gallery, storage account)."
}

variable "location" {
  type        = string
  description = "Azure region of the builder VM."
}

variable "vm_size" {
  type        = string
  default     = "Standard_D16s_v5"
  description = "Builder VM size."
}

variable "image_publisher" {
  type        = string
  description = "Marketplace image the workload nodes run (Canonical)."
}

variable "image_offer" {
  type        = string
  description = "Marketplace offer, e.g. ubuntu-24_04-lts."
}

variable "image_sku" {
  type        = string
  description = "Marketplace SKU, e.g. server."
}

variable "image_version" {
  type        = string
  description = "Marketplace image version: pinned, so the kernel source matches the nodes."
}

variable "storage_url" {
  type        = string
  description = "Blob endpoint of the artifacts storage account (https://<account>.blob.core.windows.net)."
}

variable "container" {
  type        = string
  description = "Artifacts container; the build lives under kernels/<flavor>/<digest>/."
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
  description = "Digest of every input of this build; the cache key."
  validation {
    condition     = can(regex("^[0-9a-f]{8,128}$", var.digest))
    error_message = "The digest must be 8 to 128 lower-case hex digits."
  }
}

variable "cycle_id" {
  type        = string
  description = "Id of the cycle that asked for the build (tags only)."
}

variable "rc" {
  type        = string
  description = "Release candidate under test (tags only)."
}

variable "k8s_version" {
  type        = string
  description = "Kubernetes version of the clusters (tags only)."
}

variable "builder_identity" {
  type        = string
  default     = ""
  description = "Resource id of a user-assigned managed identity with Storage Blob Data Contributor on the container; the builder VM reads and writes blobs with it."
}

variable "use_azure_cli_auth" {
  type        = bool
  default     = false
  description = "Authenticate packer with the Azure CLI login instead of the environment (ARM_CLIENT_ID/ARM_CLIENT_SECRET/ARM_TENANT_ID) or a managed identity."
}

variable "kernel_dir" {
  type        = string
  default     = ""
  description = "The repository kernel/ directory; empty means the one next to this template."
}

variable "manifest_path" {
  type        = string
  default     = "packer-manifest.json"
  description = "Where the manifest post-processor writes the build record the activity reads."
}
