locals {
  short = substr(sha256(var.cycle_id), 0, 8)
  tags = {
    "rcdebug-managed" = "true"
    "rcdebug-cycle"   = var.cycle_id
    "rcdebug-rc"      = var.rc
    "rcdebug-flavor"  = var.flavor
  }
  cp_name   = "${var.cp_cluster_name}-${local.short}"
  wl_name   = "${var.workload_cluster_name}-${local.short}"
  vmss_name = "${var.workload_cluster_name}-${local.short}-nodes"
}

data "azurerm_client_config" "current" {}

resource "azurerm_resource_group" "cycle" {
  name     = "rcdebug-${local.short}"
  location = var.location
  # When the group was made: the janitor removes groups older than its TTL.
  tags = merge(local.tags, { "rcdebug-created" = plantimestamp() })
  lifecycle {
    ignore_changes = [tags["rcdebug-created"]]
  }
}

resource "azurerm_virtual_network" "cycle" {
  name                = "rcdebug-${local.short}"
  location            = var.location
  resource_group_name = azurerm_resource_group.cycle.name
  address_space       = ["10.40.0.0/16"]
  tags                = local.tags
}

resource "azurerm_subnet" "aks" {
  name                 = "aks"
  resource_group_name  = azurerm_resource_group.cycle.name
  virtual_network_name = azurerm_virtual_network.cycle.name
  address_prefixes     = ["10.40.0.0/20"]
}

resource "azurerm_subnet" "workload" {
  name                 = "workload"
  resource_group_name  = azurerm_resource_group.cycle.name
  virtual_network_name = azurerm_virtual_network.cycle.name
  address_prefixes     = ["10.40.16.0/24"]
}

resource "azurerm_log_analytics_workspace" "cycle" {
  name                = "${local.wl_name}-logs"
  location            = var.location
  resource_group_name = azurerm_resource_group.cycle.name
  sku                 = "PerGB2018"
  retention_in_days   = 30
  tags                = local.tags
}

# The cpCluster on AKS with stock nodes (AKS runs no custom node image), Entra ID integration.
resource "azurerm_kubernetes_cluster" "cp" {
  name                = local.cp_name
  location            = var.location
  resource_group_name = azurerm_resource_group.cycle.name
  dns_prefix          = local.cp_name
  kubernetes_version  = var.k8s_version
  tags                = local.tags

  default_node_pool {
    name           = "system"
    vm_size        = "Standard_D4s_v5"
    node_count     = 2
    vnet_subnet_id = azurerm_subnet.aks.id
  }

  identity {
    type = "SystemAssigned"
  }

  azure_active_directory_role_based_access_control {
    azure_rbac_enabled = true
    tenant_id          = data.azurerm_client_config.current.tenant_id
  }

  oms_agent {
    log_analytics_workspace_id = azurerm_log_analytics_workspace.cycle.id
  }
}

# The worker deploys onto the cpCluster with its Entra ID token.
resource "azurerm_role_assignment" "worker_aks" {
  scope                = azurerm_kubernetes_cluster.cp.id
  role_definition_name = "Azure Kubernetes Service RBAC Cluster Admin"
  principal_id         = data.azurerm_client_config.current.object_id
}
