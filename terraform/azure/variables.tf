variable "cycle_id" {
  type        = string
  description = "Id of the cycle: tags every resource and names the workspace."
}

variable "rc" {
  type        = string
  description = "Release candidate under test (tags)."
}

variable "flavor" {
  type        = string
  description = "Kernel flavor of the debug image (tags)."
}

variable "location" {
  type        = string
  description = "Azure region of both clusters, e.g. westeurope."
  validation {
    condition     = can(regex("^[a-z]+[a-z0-9]*$", var.location))
    error_message = "The location is an Azure region name such as westeurope."
  }
}

variable "subscription_id" {
  type        = string
  description = "Subscription of the cycle."
}

variable "gallery_image_version_id" {
  type        = string
  description = "Resource id of the Compute Gallery image version the workload VMs boot."
  validation {
    condition     = can(regex("/galleries/[^/]+/images/[^/]+/versions/[0-9]+[.][0-9]+[.][0-9]+$", var.gallery_image_version_id)) || var.gallery_image_version_id == "none"
    error_message = "gallery_image_version_id must be a Compute Gallery image version id."
  }
}

variable "k8s_version" {
  type        = string
  default     = "1.33"
  description = "Kubernetes major.minor of AKS and of the kubeadm packages on the workload nodes."
}

variable "vm_size" {
  type        = string
  default     = "Standard_D4s_v5"
  description = "Size of the workload VMs."
}

variable "workload_node_count" {
  type        = number
  default     = 2
  description = "Workload VMs: the first runs kubeadm init, the others join."
}

variable "cp_cluster_name" {
  type        = string
  description = "AKS name of the manifest's cpCluster (a cycle suffix is added)."
}

variable "workload_cluster_name" {
  type        = string
  description = "Name of the manifest's workloadCluster (a cycle suffix is added)."
}

variable "admin_ssh_public_key" {
  type        = string
  default     = ""
  description = "SSH key of the workload VMs' admin user; empty means a generated one nobody keeps (Run Command is the way in)."
}
