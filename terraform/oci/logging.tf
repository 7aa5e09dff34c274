# Kernel messages of every workload node to OCI Logging: the image writes them to
# /var/log/rcdebug/kernel.log, the Oracle Cloud Agent's unified agent tails the file into the
# cycle's custom log. The agent configuration applies to the instances of the workload node
# pool through a dynamic group matching the cycle's tag.
resource "oci_logging_log_group" "this" {
  compartment_id = var.compartment_ocid
  display_name   = "rcdebug-${local.short}"
  freeform_tags  = local.tags
}

resource "oci_logging_log" "kernel" {
  log_group_id       = oci_logging_log_group.this.id
  display_name       = "kernel"
  log_type           = "CUSTOM"
  is_enabled         = true
  retention_duration = 30
  freeform_tags      = local.tags
}

resource "oci_identity_dynamic_group" "nodes" {
  compartment_id = var.tenancy_ocid
  name           = "rcdebug-nodes-${local.short}"
  description    = "rcdebug: the workload nodes of cycle ${var.cycle_id}"
  matching_rule  = "ALL {instance.compartment.id = '${var.compartment_ocid}', tag.rcdebug-cycle.value = '${var.cycle_id}'}"
  freeform_tags  = local.tags
}

resource "oci_logging_unified_agent_configuration" "kernel" {
  compartment_id = var.compartment_ocid
  display_name   = "rcdebug-kernel-${local.short}"
  description    = "rcdebug: kernel messages of cycle ${var.cycle_id}"
  is_enabled     = true
  freeform_tags  = local.tags

  service_configuration {
    configuration_type = "LOGGING"
    sources {
      source_type = "LOG_TAIL"
      name        = "kernel"
      paths       = ["/var/log/rcdebug/kernel.log"]
      parser {
        parser_type = "NONE"
      }
    }
    destination {
      log_object_id = oci_logging_log.kernel.id
    }
  }

  group_association {
    group_list = [oci_identity_dynamic_group.nodes.id]
  }
}
