terraform {
  required_version = ">= 1.6.0"
  required_providers {
    oci = {
      source  = "oracle/oci"
      version = "~> 7.0"
    }
  }
  # State in Object Storage through its S3-compatible endpoint; the activity writes the partial
  # configuration (bucket, endpoint, region) per cycle, see backend.tfbackend.example.
  backend "s3" {}
}

provider "oci" {
  region           = var.region
  tenancy_ocid     = var.tenancy_ocid
  user_ocid        = var.user_ocid
  fingerprint      = var.fingerprint
  private_key_path = var.private_key_path
}
