# Both clusters on OKE: the control plane's node pool on OKE's stock Oracle Linux image, the
# workload node pool on the debug image (OKE node pools take a custom image OCID).
data "oci_containerengine_node_pool_option" "stock" {
  node_pool_option_id = "all"
  compartment_id      = var.compartment_ocid
}

locals {
  # The newest stock OKE Oracle Linux image of the cluster version (not GPU, not aarch64).
  stock_image_id = [
    for s in data.oci_containerengine_node_pool_option.stock.sources : s.image_id
    if length(regexall("OKE-${trimprefix(var.k8s_version, "v")}", s.source_name)) > 0 && length(regexall("GPU|aarch64", s.source_name)) == 0
  ][0]
  clusters = {
    cp       = { name = var.cp_cluster_name, image = local.stock_image_id, size = 1 }
    workload = { name = var.workload_cluster_name, image = var.debug_image_ocid, size = var.workload_nodes }
  }
}

resource "oci_containerengine_cluster" "this" {
  for_each           = local.clusters
  compartment_id     = var.compartment_ocid
  name               = "${each.value.name}-${local.short}"
  kubernetes_version = var.k8s_version
  vcn_id             = oci_core_vcn.this.id
  type               = "BASIC_CLUSTER"
  freeform_tags      = merge(local.tags, { "rcdebug-role" = each.key })

  endpoint_config {
    is_public_ip_enabled = true
    subnet_id            = oci_core_subnet.api.id
  }

  options {
    service_lb_subnet_ids = [oci_core_subnet.lb.id]
  }
}

resource "oci_containerengine_node_pool" "this" {
  for_each           = local.clusters
  cluster_id         = oci_containerengine_cluster.this[each.key].id
  compartment_id     = var.compartment_ocid
  name               = "${each.value.name}-${local.short}-pool"
  kubernetes_version = var.k8s_version
  node_shape         = var.node_shape
  freeform_tags      = merge(local.tags, { "rcdebug-role" = each.key })

  node_shape_config {
    ocpus         = 2
    memory_in_gbs = 16
  }

  node_source_details {
    source_type             = "IMAGE"
    image_id                = each.value.image
    boot_volume_size_in_gbs = 100
  }

  node_config_details {
    size          = each.value.size
    freeform_tags = merge(local.tags, { "rcdebug-role" = each.key })
    placement_configs {
      availability_domain = var.availability_domain
      subnet_id           = oci_core_subnet.nodes.id
    }
  }

  node_metadata = {
    # The Oracle Cloud Agent plugins the soak needs: Run Command for kmemleak scans, Custom
    # Logs Monitoring for kernel messages to OCI Logging.
    "oci-agent-plugins" = "Compute Instance Run Command,Custom Logs Monitoring"
  }
}
