# Node permissions beyond joining the cluster (those are in the module): the workload nodes
# may write to this cycle's log group and nothing else. The CloudWatch agent creates its
# streams itself; it does not create groups (the stack does, with a retention).

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
