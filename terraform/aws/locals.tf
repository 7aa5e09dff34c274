locals {
  # Names allow letters, digits and dashes and are short; a cycle id may be long and hold
  # anything. Its readable start plus a hash of all of it keeps names of sibling cycles
  # (same rc, other flavor) apart.
  cycle_slug = "${trim(substr(replace(lower(var.cycle_id), "/[^a-z0-9-]+/", "-"), 0, 15), "-")}-${substr(sha256(var.cycle_id), 0, 8)}"
  cp_name    = "${substr(var.cp_cluster_name, 0, 30)}-${local.cycle_slug}"
  wl_name    = "${substr(var.workload_cluster_name, 0, 30)}-${local.cycle_slug}"
  log_group  = "/rcdebug/${local.cycle_slug}"

  tags = {
    "rcdebug:managed" = "true"
    "rcdebug:cycle"   = var.cycle_id
    "rcdebug:rc"      = var.rc
    "rcdebug:flavor"  = var.flavor
    "rcdebug:stack"   = "aws"
  }
}
