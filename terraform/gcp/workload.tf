# The workload cluster: kubeadm on a managed instance group booted from the debug image.
# Secure boot is off (the debug kernel is unsigned); serial-port logging is on, so the
# console also reaches Cloud Logging. The first node runs `kubeadm init` and stores the admin
# kubeconfig in Secret Manager (never in the repository or the workflow history); the others
# join with the cycle's bootstrap token.
resource "google_service_account" "nodes" {
  account_id   = "rcdebug-${local.short}"
  display_name = "rcdebug workload nodes of ${var.cycle_label}"
}

resource "google_secret_manager_secret" "kubeconfig" {
  secret_id = local.secret
  labels = {
    managed-by    = "rcdebug"
    rcdebug-cycle = var.cycle_label
  }
  replication {
    auto {}
  }
}

resource "google_secret_manager_secret_iam_member" "nodes_write" {
  secret_id = google_secret_manager_secret.kubeconfig.id
  role      = "roles/secretmanager.secretVersionAdder"
  member    = "serviceAccount:${google_service_account.nodes.email}"
}

resource "google_compute_instance_template" "workload" {
  name_prefix  = "rcdebug-${local.short}-"
  machine_type = var.machine_type
  labels = {
    managed-by     = "rcdebug"
    rcdebug-cycle  = var.cycle_label
    rcdebug-rc     = var.rc_label
    rcdebug-flavor = var.flavor
  }
  disk {
    source_image = var.debug_image
    disk_size_gb = 50
    boot         = true
  }
  network_interface {
    subnetwork = google_compute_subnetwork.nodes.id
    nic_type   = "GVNIC"
  }
  shielded_instance_config {
    enable_secure_boot = false
  }
  service_account {
    email  = google_service_account.nodes.email
    scopes = ["cloud-platform"]
  }
  metadata = {
    serial-port-logging-enable = "true"
    startup-script = templatefile("${path.module}/templates/kubeadm-startup.sh.tftpl", {
      cluster   = local.wl_name
      group     = local.group
      zone      = local.zone
      project   = var.project_id
      secret    = local.secret
      token     = local.wl_token
      k8s       = var.k8s_version
      pod_cidr  = "10.48.0.0/14"
      node_tags = "rcdebug-${local.short}"
    })
  }
  tags = ["rcdebug-${local.short}"]
  lifecycle {
    create_before_destroy = true
  }
}

resource "google_compute_instance_group_manager" "workload" {
  name               = local.group
  zone               = local.zone
  base_instance_name = local.wl_name
  target_size        = var.workload_nodes
  version {
    instance_template = google_compute_instance_template.workload.id
  }
}
