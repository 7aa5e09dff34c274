locals {
  short    = substr(sha256(var.cycle_id), 0, 8)
  zone     = var.zone != "" ? var.zone : "${var.region}-b"
  cp_name  = "${var.cp_cluster_name}-${local.short}"
  wl_name  = "${var.workload_cluster_name}-${local.short}"
  group    = "rcdebug-wl-${local.short}"
  secret   = "rcdebug-${local.short}-kubeconfig"
  wl_token = "${substr(sha256("${var.cycle_id}/token"), 0, 6)}.${substr(sha256("${var.cycle_id}/secret"), 0, 16)}"
}

resource "google_compute_network" "cycle" {
  name                    = "rcdebug-${local.short}"
  auto_create_subnetworks = false
}

resource "google_compute_subnetwork" "nodes" {
  name                     = "rcdebug-${local.short}-nodes"
  network                  = google_compute_network.cycle.id
  region                   = var.region
  ip_cidr_range            = "10.40.0.0/20"
  private_ip_google_access = true
  secondary_ip_range {
    range_name    = "pods"
    ip_cidr_range = "10.48.0.0/14"
  }
  secondary_ip_range {
    range_name    = "services"
    ip_cidr_range = "10.52.0.0/20"
  }
}

resource "google_compute_firewall" "internal" {
  name          = "rcdebug-${local.short}-internal"
  network       = google_compute_network.cycle.id
  source_ranges = ["10.40.0.0/20", "10.48.0.0/14"]
  allow {
    protocol = "all"
  }
}

resource "google_compute_router" "nat" {
  name    = "rcdebug-${local.short}-router"
  network = google_compute_network.cycle.id
  region  = var.region
}

resource "google_compute_router_nat" "nat" {
  name                               = "rcdebug-${local.short}-nat"
  router                             = google_compute_router.nat.name
  region                             = var.region
  nat_ip_allocate_option             = "AUTO_ONLY"
  source_subnetwork_ip_ranges_to_nat = "ALL_SUBNETWORKS_ALL_IP_RANGES"
}
