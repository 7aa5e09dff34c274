output "region" {
  value = var.region
}

output "cycle_id" {
  value = var.cycle_id
}

output "vcn_id" {
  value = oci_core_vcn.this.id
}

output "cp_cluster_id" {
  value = oci_containerengine_cluster.this["cp"].id
}

output "cp_cluster_name" {
  value = oci_containerengine_cluster.this["cp"].name
}

output "cp_node_pool_id" {
  value = oci_containerengine_node_pool.this["cp"].id
}

output "workload_cluster_id" {
  value = oci_containerengine_cluster.this["workload"].id
}

output "workload_cluster_name" {
  value = oci_containerengine_cluster.this["workload"].name
}

output "workload_node_pool_id" {
  value = oci_containerengine_node_pool.this["workload"].id
}

output "log_group_id" {
  value = oci_logging_log_group.this.id
}

output "kernel_log_id" {
  value = oci_logging_log.kernel.id
}

output "debug_image_ocid" {
  value = var.debug_image_ocid
}
