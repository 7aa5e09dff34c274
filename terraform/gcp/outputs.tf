output "cp_cluster_name" {
  value = google_container_cluster.cp.name
}

output "cp_cluster_location" {
  value = google_container_cluster.cp.location
}

output "workload_cluster_name" {
  value = local.wl_name
}

output "workload_group_name" {
  value = google_compute_instance_group_manager.workload.name
}

output "workload_zone" {
  value = local.zone
}

output "kubeconfig_secret" {
  description = "Secret Manager secret holding the workload cluster's admin kubeconfig (its first node writes it)."
  value       = google_secret_manager_secret.kubeconfig.secret_id
}

output "network" {
  value = google_compute_network.cycle.name
}
