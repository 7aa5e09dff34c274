variable "name" {
  type        = string
  description = "EKS cluster name; also prefixes the names of its roles, node group and launch template."
  validation {
    condition     = can(regex("^[0-9A-Za-z][A-Za-z0-9_-]{0,63}$", var.name))
    error_message = "A cluster name starts with a letter or digit and has at most 64 letters, digits, - and _ (IAM role names add a suffix)."
  }
}

variable "role_name_prefix" {
  type        = string
  description = "Prefix of the IAM role names; the worker's IAM policy only lets it manage roles named rcdebug-*."
  validation {
    condition     = can(regex("^rcdebug-[A-Za-z0-9+=,.@_-]{1,48}$", var.role_name_prefix))
    error_message = "role_name_prefix starts with rcdebug- and has at most 56 characters."
  }
}

variable "k8s_version" {
  type        = string
  description = "Kubernetes version (major.minor) of the control plane and the nodes."
}

variable "subnet_ids" {
  type        = list(string)
  description = "Private subnets, in at least two availability zones, for the control plane's network interfaces and the nodes."
}

variable "service_cidr" {
  type        = string
  description = "Service CIDR of the cluster; nodeadm derives the cluster DNS address from it."
}

variable "endpoint_public_access_cidrs" {
  type        = list(string)
  description = "Networks that may reach the public API endpoint (the rcdebug worker runs helm against it)."
}

variable "admin_principal_arns" {
  type        = list(string)
  default     = []
  description = "IAM principals (besides the one running terraform) given cluster-admin through EKS access entries."
}

variable "cluster_log_types" {
  type        = list(string)
  default     = ["api", "audit", "authenticator"]
  description = "Control-plane log types sent to CloudWatch Logs."
}

variable "instance_types" {
  type        = list(string)
  description = "Instance types of the node group."
}

variable "node_count" {
  type        = number
  description = "Number of nodes (desired = min = max: a soak wants a fixed set of nodes)."
}

variable "node_ami_id" {
  type        = string
  default     = ""
  description = "Custom AMI of the nodes (the debug image); empty means EKS's own AL2023 AMI."
}

variable "node_disk_size_gb" {
  type        = number
  default     = 30
  description = "Root volume of a node launched from node_ami_id (at least the AMI's)."
}

variable "node_labels" {
  type        = map(string)
  default     = {}
  description = "Kubernetes labels of the nodes."
}

variable "node_user_data_script" {
  type        = string
  default     = ""
  description = "Shell script added to the nodes' user data after the NodeConfig (custom AMI only)."
}

variable "node_policy_arns" {
  type        = list(string)
  default     = []
  description = "Extra managed policies for the node role (for example SSM for commands on nodes)."
}

variable "instance_tags" {
  type        = map(string)
  default     = {}
  description = "Tags of the node instances and their volumes (the cycle's tags, so the janitor finds them)."
}
