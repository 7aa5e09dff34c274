# OpenTofu or Terraform >= 1.10 (S3 state locking with a lock file needs it).
terraform {
  required_version = ">= 1.10.0"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 6.0"
    }
  }

  # Partial configuration: the activity passes bucket, key, region and the locking choice with
  # -backend-config (see backend.tfbackend.example), and selects a workspace per cycle, so the
  # state of cycle <id> lives at s3://<bucket>/<workspace_key_prefix>/<id>/<key>.
  backend "s3" {}
}

provider "aws" {
  region = var.region

  # Every resource of the stack carries the cycle, so `rcdebug janitor` and the cost report
  # can find what a cycle left behind even without its state.
  default_tags {
    tags = local.tags
  }
}
