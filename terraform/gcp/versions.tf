# terraform/gcp: one cycle's clusters. The cpCluster on GKE (Google's node images are fine for
# it); the workload cluster must run the debug kernel, and GKE node pools run only Google's
# images, so it is a self-managed kubeadm cluster on a managed instance group booted from the
# debug image (the path Cluster API Provider GCP documents with image-builder images).
# State in a GCS bucket (native locking), one workspace per cycle: `init` gets
# -backend-config=bucket=... -backend-config=prefix=rcdebug/gcp from the activity.
terraform {
  required_version = ">= 1.6.0"
  required_providers {
    google = {
      source  = "hashicorp/google"
      version = "~> 6.0"
    }
  }
  backend "gcs" {}
}

provider "google" {
  project = var.project_id
  region  = var.region
  zone    = var.zone
  default_labels = {
    managed-by    = "rcdebug"
    rcdebug-cycle = var.cycle_label
  }
}
