# The workload cluster: kubeadm on a scale set booted from the gallery version (AKS cannot run a
# custom node image; this is the path Cluster API Provider Azure documents for custom images).
# cloud-init on instance 0 runs `kubeadm init` and stores a deployer token kubeconfig in Key Vault;
# the others join with the bootstrap token. The kubeconfig never reaches the state's outputs.

resource "random_password" "bootstrap_id" {
  length  = 6
  special = false
  upper   = false
}

resource "random_password" "bootstrap_secret" {
  length  = 16
  special = false
  upper   = false
}

resource "tls_private_key" "admin" {
  count     = var.admin_ssh_public_key == "" ? 1 : 0
  algorithm = "ED25519"
}

resource "azurerm_user_assigned_identity" "nodes" {
  name                = "${local.wl_name}-nodes"
  location            = var.location
  resource_group_name = azurerm_resource_group.cycle.name
  tags                = local.tags
}

resource "azurerm_key_vault" "cycle" {
  name                      = "rcdebug-${local.short}"
  location                  = var.location
  resource_group_name       = azurerm_resource_group.cycle.name
  tenant_id                 = data.azurerm_client_config.current.tenant_id
  sku_name                  = "standard"
  enable_rbac_authorization = true
  purge_protection_enabled  = false
  tags                      = local.tags
}

resource "azurerm_role_assignment" "nodes_write_kubeconfig" {
  scope                = azurerm_key_vault.cycle.id
  role_definition_name = "Key Vault Secrets Officer"
  principal_id         = azurerm_user_assigned_identity.nodes.principal_id
}

resource "azurerm_role_assignment" "worker_read_kubeconfig" {
  scope                = azurerm_key_vault.cycle.id
  role_definition_name = "Key Vault Secrets User"
  principal_id         = data.azurerm_client_config.current.object_id
}

resource "azurerm_linux_virtual_machine_scale_set" "workload" {
  name                = local.vmss_name
  location            = var.location
  resource_group_name = azurerm_resource_group.cycle.name
  sku                 = var.vm_size
  instances           = var.workload_node_count
  admin_username      = "rcdebug"
  source_image_id     = var.gallery_image_version_id
  upgrade_mode        = "Manual"
  overprovision       = false
  # An unsigned debug kernel: Secure Boot and vTPM off (the image definition is Standard).
  secure_boot_enabled = false
  vtpm_enabled        = false
  tags                = local.tags

  admin_ssh_key {
    username   = "rcdebug"
    public_key = var.admin_ssh_public_key != "" ? var.admin_ssh_public_key : tls_private_key.admin[0].public_key_openssh
  }

  os_disk {
    caching              = "ReadWrite"
    storage_account_type = "Premium_LRS"
    disk_size_gb         = 64
  }

  network_interface {
    name    = "nic"
    primary = true
    ip_configuration {
      name      = "internal"
      primary   = true
      subnet_id = azurerm_subnet.workload.id
    }
  }

  identity {
    type         = "UserAssigned"
    identity_ids = [azurerm_user_assigned_identity.nodes.id]
  }

  # Managed boot diagnostics: the serial log the soak and the harvest read.
  boot_diagnostics {}

  custom_data = base64encode(templatefile("${path.module}/templates/cloud-init.yaml.tftpl", {
    k8s_version     = var.k8s_version
    bootstrap_token = "${random_password.bootstrap_id.result}.${random_password.bootstrap_secret.result}"
    cluster_name    = local.wl_name
    vault_name      = azurerm_key_vault.cycle.name
    secret_name     = "kubeconfig-${local.short}"
    identity_client = azurerm_user_assigned_identity.nodes.client_id
  }))
}

# Kernel messages to Log Analytics through the Azure Monitor Agent and a data collection rule.
resource "azurerm_virtual_machine_scale_set_extension" "ama" {
  name                         = "AzureMonitorLinuxAgent"
  virtual_machine_scale_set_id = azurerm_linux_virtual_machine_scale_set.workload.id
  publisher                    = "Microsoft.Azure.Monitor"
  type                         = "AzureMonitorLinuxAgent"
  type_handler_version         = "1.33"
  auto_upgrade_minor_version   = true
}

resource "azurerm_monitor_data_collection_rule" "kernel" {
  name                = "${local.wl_name}-kernel"
  location            = var.location
  resource_group_name = azurerm_resource_group.cycle.name
  tags                = local.tags

  destinations {
    log_analytics {
      name                  = "cycle"
      workspace_resource_id = azurerm_log_analytics_workspace.cycle.id
    }
  }

  data_flow {
    streams      = ["Microsoft-Syslog"]
    destinations = ["cycle"]
  }

  data_sources {
    syslog {
      name           = "kernel"
      facility_names = ["kern"]
      log_levels     = ["*"]
      streams        = ["Microsoft-Syslog"]
    }
  }
}

resource "azurerm_monitor_data_collection_rule_association" "kernel" {
  name                    = "rcdebug-kernel"
  target_resource_id      = azurerm_linux_virtual_machine_scale_set.workload.id
  data_collection_rule_id = azurerm_monitor_data_collection_rule.kernel.id
}
