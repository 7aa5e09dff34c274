# The cycle's log group: the workload nodes' CloudWatch agent writes one stream per node and
# source ("<instance-id>/kernel", "<instance-id>/kmemleak"); the log harvest reads them.
resource "aws_cloudwatch_log_group" "nodes" {
  name              = local.log_group
  retention_in_days = var.log_retention_days
}
