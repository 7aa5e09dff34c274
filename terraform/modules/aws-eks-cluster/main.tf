# One EKS cluster with one managed node group. Used twice by terraform/aws: the control-plane
# cluster on EKS's own AL2023 AMI, and the workload cluster on the debug AMI through a launch
# template whose user data is a nodeadm NodeConfig (EKS does not bootstrap custom AMIs).

data "aws_partition" "current" {}

locals {
  custom_ami  = var.node_ami_id != ""
  node_labels = join(",", [for k, v in var.node_labels : "${k}=${v}"])
}

# --- control plane -------------------------------------------------------------------------

data "aws_iam_policy_document" "cluster_assume" {
  statement {
    actions = ["sts:AssumeRole", "sts:TagSession"]
    principals {
      type        = "Service"
      identifiers = ["eks.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "cluster" {
  name               = "${var.role_name_prefix}-cluster"
  assume_role_policy = data.aws_iam_policy_document.cluster_assume.json
}

# The only policy EKS needs for a cluster without Auto Mode.
resource "aws_iam_role_policy_attachment" "cluster" {
  role       = aws_iam_role.cluster.name
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/AmazonEKSClusterPolicy"
}

resource "aws_cloudwatch_log_group" "control_plane" {
  # EKS writes here; created first so it has a retention and the cycle's tags.
  name              = "/aws/eks/${var.name}/cluster"
  retention_in_days = 7
}

resource "aws_eks_cluster" "this" {
  name                      = var.name
  version                   = var.k8s_version
  role_arn                  = aws_iam_role.cluster.arn
  enabled_cluster_log_types = var.cluster_log_types

  access_config {
    authentication_mode = "API"
    # The principal running terraform (the rcdebug worker) deploys the charts.
    bootstrap_cluster_creator_admin_permissions = true
  }

  vpc_config {
    subnet_ids              = var.subnet_ids
    endpoint_private_access = true
    endpoint_public_access  = true
    public_access_cidrs     = var.endpoint_public_access_cidrs
  }

  kubernetes_network_config {
    service_ipv4_cidr = var.service_cidr
  }

  depends_on = [aws_iam_role_policy_attachment.cluster, aws_cloudwatch_log_group.control_plane]
}

resource "aws_eks_access_entry" "admin" {
  for_each      = toset(var.admin_principal_arns)
  cluster_name  = aws_eks_cluster.this.name
  principal_arn = each.value
}

resource "aws_eks_access_policy_association" "admin" {
  for_each      = toset(var.admin_principal_arns)
  cluster_name  = aws_eks_cluster.this.name
  principal_arn = each.value
  policy_arn    = "arn:${data.aws_partition.current.partition}:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"
  access_scope {
    type = "cluster"
  }
  depends_on = [aws_eks_access_entry.admin]
}

# --- nodes ---------------------------------------------------------------------------------

data "aws_iam_policy_document" "node_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "node" {
  name               = "${var.role_name_prefix}-node"
  assume_role_policy = data.aws_iam_policy_document.node_assume.json
}

# What a node needs to join and run pods: EKS's node policy, pulling images from ECR, and the
# VPC CNI (kept on the node role: no IRSA setup for a cluster that lives a few hours).
resource "aws_iam_role_policy_attachment" "node" {
  for_each = toset(concat([
    "arn:${data.aws_partition.current.partition}:iam::aws:policy/AmazonEKSWorkerNodePolicy",
    "arn:${data.aws_partition.current.partition}:iam::aws:policy/AmazonEC2ContainerRegistryPullOnly",
    "arn:${data.aws_partition.current.partition}:iam::aws:policy/AmazonEKS_CNI_Policy",
  ], var.node_policy_arns))
  role       = aws_iam_role.node.name
  policy_arn = each.value
}

# Both node groups use a launch template: it is the only way to get the cycle's tags onto the
# instances (and volumes) a node group launches, and to require IMDSv2. The custom AMI and its
# NodeConfig user data are set only for the debug image; otherwise EKS picks and bootstraps
# its own AMI.
resource "aws_launch_template" "node" {
  name_prefix = "${var.name}-"
  image_id    = local.custom_ami ? var.node_ami_id : null
  user_data = local.custom_ami ? base64encode(templatefile("${path.module}/templates/nodeadm-user-data.tftpl", {
    cluster_name          = aws_eks_cluster.this.name
    api_server_endpoint   = aws_eks_cluster.this.endpoint
    certificate_authority = aws_eks_cluster.this.certificate_authority[0].data
    service_cidr          = var.service_cidr
    node_labels           = local.node_labels
    script                = var.node_user_data_script
  })) : null

  block_device_mappings {
    device_name = "/dev/xvda"
    ebs {
      volume_size           = var.node_disk_size_gb
      volume_type           = "gp3"
      delete_on_termination = true
      encrypted             = true
    }
  }

  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = 2
  }

  # The provider's default_tags do not reach the instances a node group launches.
  tag_specifications {
    resource_type = "instance"
    tags          = merge(var.instance_tags, { Name = "${var.name}-node" })
  }

  tag_specifications {
    resource_type = "volume"
    tags          = var.instance_tags
  }
}

resource "aws_eks_node_group" "this" {
  cluster_name    = aws_eks_cluster.this.name
  node_group_name = "${var.name}-nodes"
  node_role_arn   = aws_iam_role.node.arn
  subnet_ids      = var.subnet_ids
  instance_types  = var.instance_types
  # With a custom AMI in the launch template, EKS refuses any ami_type.
  ami_type = local.custom_ami ? null : "AL2023_x86_64_STANDARD"
  labels   = var.node_labels

  scaling_config {
    desired_size = var.node_count
    min_size     = var.node_count
    max_size     = var.node_count
  }

  update_config {
    max_unavailable = 1
  }

  launch_template {
    id      = aws_launch_template.node.id
    version = aws_launch_template.node.latest_version
  }

  depends_on = [aws_iam_role_policy_attachment.node]
}
