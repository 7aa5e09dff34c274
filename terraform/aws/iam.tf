# Node permissions beyond joining the cluster (those are in the module): the workload nodes
# may write to this cycle's log group and nothing else. The CloudWatch agent creates its
# streams itself; it does not create groups (the stack does, with a retention). Attached here
# rather than in the module: the document names the log group's ARN, unknown until apply, and
# the module would have to count on it.

data "aws_partition" "current" {}

data "aws_iam_policy_document" "node_logs" {
  statement {
    sid = "ShipKernelLogsToTheCycleLogGroup"
    actions = [
      "logs:CreateLogStream",
      "logs:PutLogEvents",
      "logs:DescribeLogStreams",
    ]
    resources = [
      aws_cloudwatch_log_group.nodes.arn,
      "${aws_cloudwatch_log_group.nodes.arn}:log-stream:*",
    ]
  }
}

resource "aws_iam_role_policy" "node_logs" {
  name   = "rcdebug-${local.cycle_slug}-wl-node-logs"
  role   = module.workload.node_role_name
  policy = data.aws_iam_policy_document.node_logs.json
}
