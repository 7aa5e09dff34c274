variable "project_id" {
  type        = string
  description = "GCP project of every resource."
}

variable "region" {
  type        = string
  description = "Region of the network, the GKE cpCluster and the workload group's zone."
}

variable "zone" {
  type        = string
  description = "Zone of the workload group (RCDEBUG_GCP_ZONE, default <region>-b)."
  default     = ""
}

variable "cycle_id" {
  type        = string
  description = "The cycle's id (names are derived from a hash of it)."
}

variable "cycle_label" {
  type        = string
  description = "The cycle id in GCP's label charset: at most 63 lowercase letters, digits, '-' and '_'."
  default     = "unknown"
  validation {
    condition     = can(regex("^[a-z0-9_-]{0,63}$", var.cycle_label))
    error_message = "cycle_label must be a GCP label value."
  }
}

variable "rc_label" {
  type        = string
  description = "The release candidate in GCP's label charset."
  default     = ""
}

variable "flavor" {
  type        = string
  description = "Kernel flavor of the debug image."
}

variable "debug_image" {
  type        = string
  description = "The debug image: projects/<project>/global/images/<name>."
}

variable "machine_type" {
  type        = string
  description = "Machine type of the workload nodes."
  default     = "n2-standard-4"
}

variable "k8s_version" {
  type        = string
  description = "Kubernetes major.minor of both clusters."
  default     = "1.33"
}

variable "cp_cluster_name" {
  type        = string
  description = "The manifest's cpCluster.clusterName."
  default     = "rcdebug-cp"
}

variable "workload_cluster_name" {
  type        = string
  description = "The manifest's workloadCluster.clusterName."
  default     = "rcdebug-workload"
}

variable "workload_nodes" {
  type        = number
  description = "Workload nodes: the first runs kubeadm init, the others join."
  default     = 2
}
