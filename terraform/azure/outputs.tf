# Read back by cluster-provision (terraform output -json). No credential is an output: the
# workload kubeconfig is in Key Vault, the cpCluster's comes from AKS with an Entra ID token.
output "resource_group" {
  value = azurerm_resource_group.cycle.name
}

output "location" {
  value = var.location
}

output "cp_cluster_name" {
  value = azurerm_kubernetes_cluster.cp.name
}

output "workload_cluster_name" {
  value = local.wl_name
}

output "workload_vmss_name" {
  value = azurerm_linux_virtual_machine_scale_set.workload.name
}

output "key_vault_url" {
  value = azurerm_key_vault.cycle.vault_uri
}

output "kubeconfig_secret_name" {
  value = "kubeconfig-${local.short}"
}

output "log_analytics_workspace_id" {
  value = azurerm_log_analytics_workspace.cycle.workspace_id
}

output "gallery_image_version_id" {
  value = var.gallery_image_version_id
}
