variable "cycle_id" {
  type        = string
  description = "Id of the cycle: freeform tag rcdebug-cycle on every resource."
}

variable "rc" {
  type        = string
  description = "Release candidate under test (tag rcdebug-rc)."
}

variable "flavor" {
  type        = string
  description = "Kernel flavor of the debug image (tag rcdebug-flavor)."
}

variable "region" {
  type        = string
  description = "OCI region identifier, e.g. eu-frankfurt-1."
}

variable "tenancy_ocid" {
  type        = string
  description = "Tenancy of the worker's API key."
}

variable "user_ocid" {
  type        = string
  default     = ""
  description = "User of the worker's API key."
}

variable "fingerprint" {
  type        = string
  default     = ""
  description = "Fingerprint of the worker's API key."
}

variable "private_key_path" {
  type        = string
  default     = ""
  description = "Path of the worker's API private key (never the key itself)."
}

variable "compartment_ocid" {
  type        = string
  description = "Compartment of every resource of the cycle."
}

variable "availability_domain" {
  type        = string
  description = "Availability domain of the node pools; it must offer node_shape."
}

variable "node_shape" {
  type        = string
  default     = "VM.Standard.E5.Flex"
  description = "Shape of every node; Shielded Instances stay off (the debug kernel is unsigned)."
}

variable "debug_image_ocid" {
  type        = string
  description = "The custom image of the image-bake step: the workload node pool boots it."
  validation {
    condition     = can(regex("^ocid1\\.image\\.", var.debug_image_ocid))
    error_message = "debug_image_ocid must be an image OCID (ocid1.image...)."
  }
}

variable "k8s_version" {
  type        = string
  default     = "v1.33.1"
  description = "Kubernetes version of both OKE clusters."
}

variable "cp_cluster_name" {
  type        = string
  default     = "rcdebug-cp"
  description = "Name of the control-plane cluster (stock OKE nodes)."
}

variable "workload_cluster_name" {
  type        = string
  default     = "rcdebug-workload"
  description = "Name of the workload cluster (node pool on the debug image)."
}

variable "workload_nodes" {
  type        = number
  default     = 2
  description = "Nodes of the workload node pool."
}

variable "vcn_cidr" {
  type        = string
  default     = "10.42.0.0/16"
  description = "CIDR of the cycle's VCN."
}
