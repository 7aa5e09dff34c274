# The cpCluster: a small GKE cluster on Google's node image (it runs no debug kernel).
resource "google_container_cluster" "cp" {
  name                     = local.cp_name
  location                 = var.region
  network                  = google_compute_network.cycle.id
  subnetwork               = google_compute_subnetwork.nodes.id
  remove_default_node_pool = true
  initial_node_count       = 1
  deletion_protection      = false
  min_master_version       = var.k8s_version
  resource_labels = {
    managed-by     = "rcdebug"
    rcdebug-cycle  = var.cycle_label
    rcdebug-rc     = var.rc_label
    rcdebug-flavor = var.flavor
  }
  ip_allocation_policy {
    cluster_secondary_range_name  = "pods"
    services_secondary_range_name = "services"
  }
}

resource "google_container_node_pool" "cp" {
  name       = "cp"
  cluster    = google_container_cluster.cp.id
  location   = var.region
  node_count = 1
  node_config {
    machine_type = "e2-standard-4"
    image_type   = "COS_CONTAINERD"
    labels = {
      rcdebug-cycle = var.cycle_label
    }
  }
}
