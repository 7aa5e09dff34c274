# Read by the cluster-provision activity with `terraform output -json`; the names are part of
# its contract.

output "region" {
  value = var.region
}

output "cycle_id" {
  value = var.cycle_id
}

output "vpc_id" {
  value = aws_vpc.this.id
}

output "cp_cluster_name" {
  value = module.control_plane.cluster_name
}

output "cp_cluster_endpoint" {
  value = module.control_plane.endpoint
}

output "cp_cluster_ca" {
  value = module.control_plane.certificate_authority
}

output "cp_node_group_name" {
  value = module.control_plane.node_group_name
}

output "workload_cluster_name" {
  value = module.workload.cluster_name
}

output "workload_cluster_endpoint" {
  value = module.workload.endpoint
}

output "workload_cluster_ca" {
  value = module.workload.certificate_authority
}

output "workload_node_group_name" {
  value = module.workload.node_group_name
}

output "log_group" {
  value = aws_cloudwatch_log_group.nodes.name
}

output "debug_ami_id" {
  value = var.debug_ami_id
}
