terraform {
  required_version = ">= 1.6.0"
  required_providers {
    azurerm = {
      source  = "hashicorp/azurerm"
      version = "~> 4.40"
    }
    random = {
      source  = "hashicorp/random"
      version = "~> 3.6"
    }
    tls = {
      source  = "hashicorp/tls"
      version = "~> 4.0"
    }
  }
  # Partial configuration: the activity passes storage_account_name, container_name,
  # resource_group_name, key and use_azuread_auth on `init`. State blobs are locked with a
  # blob lease; each cycle is a workspace (key suffix env:<workspace>).
  backend "azurerm" {}
}

provider "azurerm" {
  features {
    resource_group {
      # The janitor and teardown remove a cycle's group with whatever is still in it.
      prevent_deletion_if_contains_resources = false
    }
    key_vault {
      purge_soft_delete_on_destroy = true
    }
  }
  subscription_id     = var.subscription_id
  storage_use_azuread = true
}
