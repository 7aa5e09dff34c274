# Inputs of the cluster-provision stack. The activity writes them to a per-cycle
# terraform.tfvars.json; docs/aws.md lists which come from the cycle input and the manifest.
#
# The state backend is not configured here (backends cannot read variables): see
# backend.tfbackend.example for state_bucket, key, region and locking (use_lockfile or
# dynamodb_table).

variable "cycle_id" {
  type        = string
  description = "Id of the cloudCycle (unique per cloud and flavor); tags every resource and names the clusters."
  validation {
    condition     = length(var.cycle_id) > 0 && length(var.cycle_id) <= 256
    error_message = "cycle_id must be 1 to 256 characters (a tag value)."
  }
}

variable "rc" {
  type        = string
  description = "Release candidate under test (tag rcdebug:rc)."
}

variable "flavor" {
  type        = string
  description = "Kernel flavor of the debug AMI (tag and node label)."
}

variable "region" {
  type        = string
  description = "AWS region of both clusters (the manifest's clusterRegion)."
}

variable "debug_ami_id" {
  type        = string
  description = "The baked debug AMI (image-bake's output) for the workload cluster's nodes."
  validation {
    condition     = can(regex("^ami-[0-9a-f]{8,17}$", var.debug_ami_id))
    error_message = "debug_ami_id must be an AMI id such as ami-0123456789abcdef0."
  }
}

variable "k8s_version" {
  type        = string
  default     = "1.33"
  description = "Kubernetes version of both clusters; must be the version the debug AMI was baked for."
  validation {
    condition     = can(regex("^1\\.[0-9]+$", var.k8s_version))
    error_message = "k8s_version is major.minor, e.g. 1.33."
  }
}

variable "cp_cluster_name" {
  type        = string
  default     = "rcdebug-cp"
  description = "Base name of the control-plane cluster (the manifest's cpCluster.clusterName); the cycle is appended."
}

variable "workload_cluster_name" {
  type        = string
  default     = "rcdebug-workload"
  description = "Base name of the workload cluster (the manifest's workloadCluster.clusterName); the cycle is appended."
}

variable "cp_instance_types" {
  type        = list(string)
  default     = ["m6i.large"]
  description = "Instance types of the control-plane cluster's nodes (stock EKS AL2023 AMI)."
}

variable "workload_instance_types" {
  type        = list(string)
  default     = ["m6i.xlarge"]
  description = "Instance types of the workload cluster's nodes (debug AMI: KASAN roughly halves speed and triples memory use)."
}

variable "cp_node_count" {
  type        = number
  default     = 2
  description = "Nodes of the control-plane cluster."
}

variable "workload_node_count" {
  type        = number
  default     = 2
  description = "Nodes of the workload cluster (each one soaks the debug kernel)."
}

variable "node_disk_size_gb" {
  type        = number
  default     = 30
  description = "Root volume of the workload nodes; at least the debug AMI's."
}

variable "vpc_cidr" {
  type        = string
  default     = "10.42.0.0/16"
  description = "CIDR of the cycle's VPC."
}

variable "service_cidr" {
  type        = string
  default     = "172.20.0.0/16"
  description = "Kubernetes service CIDR of both clusters (must not overlap vpc_cidr)."
}

variable "az_count" {
  type        = number
  default     = 2
  description = "Availability zones used (EKS needs at least two)."
  validation {
    condition     = var.az_count >= 2 && var.az_count <= 4
    error_message = "az_count must be 2 to 4."
  }
}

variable "endpoint_public_access_cidrs" {
  type        = list(string)
  default     = ["0.0.0.0/0"]
  description = "Networks allowed to reach the clusters' public API endpoints; narrow it to the worker's egress address."
}

variable "admin_principal_arns" {
  type        = list(string)
  default     = []
  description = "IAM roles or users (besides the worker that creates the clusters) given cluster-admin on both clusters."
}

variable "log_retention_days" {
  type        = number
  default     = 30
  description = "Retention of the cycle's log group (kernel messages and kmemleak results of the nodes)."
}

variable "enable_node_ssm" {
  type        = bool
  default     = true
  description = "Attach AmazonSSMManagedInstanceCore to the workload nodes, so the soak can run kmemleak scans with SSM SendCommand."
}
