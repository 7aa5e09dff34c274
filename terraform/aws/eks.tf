# The two clusters of a cycle. The control-plane cluster runs the product's control plane on
# EKS's stock AL2023 nodes; the workload cluster's nodes boot the debug AMI, and their user
# data points the CloudWatch agent baked into it at this cycle's log group.

module "control_plane" {
  source = "../modules/aws-eks-cluster"

  name                         = local.cp_name
  role_name_prefix             = "rcdebug-${local.cycle_slug}-cp"
  k8s_version                  = var.k8s_version
  subnet_ids                   = aws_subnet.private[*].id
  service_cidr                 = var.service_cidr
  endpoint_public_access_cidrs = var.endpoint_public_access_cidrs
  admin_principal_arns         = var.admin_principal_arns
  instance_types               = var.cp_instance_types
  node_count                   = var.cp_node_count
  node_labels                  = { "rcdebug.io/role" = "control-plane" }
  instance_tags                = local.tags

  depends_on = [aws_route_table_association.private, aws_nat_gateway.this]
}

module "workload" {
  source = "../modules/aws-eks-cluster"

  name                         = local.wl_name
  role_name_prefix             = "rcdebug-${local.cycle_slug}-wl"
  k8s_version                  = var.k8s_version
  subnet_ids                   = aws_subnet.private[*].id
  service_cidr                 = var.service_cidr
  endpoint_public_access_cidrs = var.endpoint_public_access_cidrs
  admin_principal_arns         = var.admin_principal_arns
  instance_types               = var.workload_instance_types
  node_count                   = var.workload_node_count
  node_ami_id                  = var.debug_ami_id
  node_disk_size_gb            = var.node_disk_size_gb
  node_labels = {
    "rcdebug.io/role"   = "workload"
    "rcdebug.io/flavor" = var.flavor
  }
  node_user_data_script = templatefile("${path.module}/templates/configure-logs.sh.tftpl", { log_group = aws_cloudwatch_log_group.nodes.name })
  node_policy_arns      = var.enable_node_ssm ? ["arn:${data.aws_partition.current.partition}:iam::aws:policy/AmazonSSMManagedInstanceCore"] : []
  instance_tags         = local.tags

  depends_on = [aws_route_table_association.private, aws_nat_gateway.this]
}
