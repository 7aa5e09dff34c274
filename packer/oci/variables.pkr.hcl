# Variables both oci templates share; the activity passes every one of them (-var).

variable "region" {
  type        = string
  description = "OCI region identifier of the builder instance and the image (eu-frankfurt-1)."
}

variable "tenancy_ocid" {
  type        = string
  description = "Tenancy of the worker's API key (OCI_CLI_TENANCY)."
}

variable "user_ocid" {
  type        = string
  description = "User of the worker's API key (OCI_CLI_USER)."
}

variable "fingerprint" {
  type        = string
  description = "Fingerprint of the worker's API key (OCI_CLI_FINGERPRINT)."
}

variable "key_file" {
  type        = string
  description = "Path of the worker's API private key (OCI_CLI_KEY_FILE); the key itself never passes through packer's arguments."
}

variable "compartment_ocid" {
  type        = string
  description = "Compartment of the builder instance and the image."
}

variable "availability_domain" {
  type        = string
  description = "Availability domain of the builder instance; it must offer var.shape."
}

variable "subnet_ocid" {
  type        = string
  description = "Subnet of the builder instance, with a route to the internet (SSH from the worker, Object Storage)."
}

variable "base_image_ocid" {
  type        = string
  description = "The OKE Oracle Linux worker image of the clusters' Kubernetes version: the UEK source matches the nodes, and OKE's node bootstrap stays in the image."
  validation {
    condition     = can(regex("^ocid1\\.image\\.", var.base_image_ocid))
    error_message = "The base image must be an image OCID (ocid1.image...)."
  }
}

variable "shape" {
  type        = string
  default     = "VM.Standard.E5.Flex"
  description = "Builder shape."
}

variable "ocpus" {
  type        = number
  default     = 8
  description = "OCPUs of a flexible builder shape."
}

variable "namespace" {
  type        = string
  description = "Object Storage namespace of the bucket."
}

variable "bucket" {
  type        = string
  description = "Bucket of kernel builds; a build lands under kernels/oci/<flavor>/<digest>/."
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
  description = "Input digest: names the build's prefix (kernel build) or the image's rcdebug-digest tag (bake)."
  validation {
    condition     = can(regex("^[A-Za-z0-9][A-Za-z0-9._:-]{7,127}$", var.digest))
    error_message = "The digest must be 8 to 128 characters of letters, digits and . _ : -."
  }
}

variable "cycle_id" {
  type        = string
  description = "Id of the cycle (freeform tags only)."
}

variable "rc" {
  type        = string
  description = "Release candidate under test (freeform tags only)."
}

variable "k8s_version" {
  type        = string
  description = "Kubernetes version of the OKE clusters (v1.33.1)."
}

variable "kernel_dir" {
  type        = string
  default     = ""
  description = "The repository's kernel/ directory; empty means the repository's."
}

variable "manifest_path" {
  type        = string
  default     = "packer-manifest.json"
  description = "Where the manifest post-processor writes the build record the activity reads."
}

locals {
  kernel_dir = var.kernel_dir != "" ? var.kernel_dir : "${path.root}/../../../kernel"
  tags = {
    "rcdebug-managed" = "true"
    "rcdebug-cycle"   = var.cycle_id
    "rcdebug-rc"      = var.rc
    "rcdebug-flavor"  = var.flavor
    "rcdebug-digest"  = var.digest
  }
}
