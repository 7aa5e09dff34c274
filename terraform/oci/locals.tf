locals {
  short = substr(sha256(var.cycle_id), 0, 8)
  tags = {
    "rcdebug-managed" = "true"
    "rcdebug-cycle"   = var.cycle_id
    "rcdebug-rc"      = var.rc
    "rcdebug-flavor"  = var.flavor
  }
}
